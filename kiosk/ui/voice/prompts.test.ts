import { describe, expect, it } from 'vitest';
import { failureReasons, languages, screenIds } from '../../bridge/protocol.ts';
import { catalogues } from '../i18n/messages.ts';
import {
  parseVoiceIndex,
  voiceFileStem,
  voiceKeys,
  voicePromptFor,
  voicePromptIds,
  voiceText,
} from './prompts.ts';

describe('voice prompts', () => {
  it('exist for every screen, every failure reason and the idle prompt, each with its own file', () => {
    for (const screen of screenIds) expect(voicePromptIds).toContain(screen);
    for (const reason of failureReasons) expect(voicePromptIds).toContain(`failed.${reason}`);
    expect(voicePromptIds).toContain('idle');
    const stems = voicePromptIds.map(voiceFileStem);
    expect(new Set(stems).size).toBe(stems.length);
    for (const stem of stems) expect(stem).toMatch(/^[\w-]+$/);
  });

  it('say, in each language, only what the catalogue says, as whole sentences', () => {
    for (const lang of languages) {
      for (const id of voicePromptIds) {
        const text = voiceText(id, lang);
        expect(text, `${lang} ${id}`).not.toMatch(/\{\w+\}/);
        expect(text, `${lang} ${id}`).toMatch(/[。？！.?!]["”]?$/);
        for (const key of voiceKeys(id))
          expect(text).toContain(catalogues[lang][key].replace(/[。.]$/, ''));
      }
    }
  });

  it('speak the instruction of a screen, the reason of a failure, and the idle question over both', () => {
    expect(voiceText('identify', 'zh-CN')).toBe(catalogues['zh-CN']['identify.instruction']);
    expect(voicePromptFor({ screen: 'identify', failure: null }, false)).toBe('identify');
    expect(voicePromptFor({ screen: 'failed', failure: { reason: 'idExpired' } }, false)).toBe(
      'failed.idExpired',
    );
    expect(voiceText('failed.idExpired', 'en')).toBe(
      'Your ID card has expired. Please come back with a valid ID card, or ask at the service counter.',
    );
    expect(voicePromptFor({ screen: 'failed', failure: null }, false)).toBe('failed');
    expect(voicePromptFor({ screen: 'confirm', failure: null }, true)).toBe('idle');
    expect(voiceText('idle', 'zh-CN')).toBe('您还在吗？如果还要继续办理，请点“继续”。');
  });
});

describe('the voice index', () => {
  it('is read when it is the build’s, and never points the page outside the voice folder', () => {
    const index = parseVoiceIndex({
      version: 1,
      clips: {
        'zh-CN': { identify: 'voice/zh-CN/identify.ogg', attract: 'https://evil.example/a.ogg' },
        en: { idle: 'voice/en/idle.mp3', collect: '../secrets.json', nonsense: 'voice/en/x.ogg' },
      },
    });
    expect(index).toEqual({
      version: 1,
      clips: {
        'zh-CN': { identify: 'voice/zh-CN/identify.ogg' },
        en: { idle: 'voice/en/idle.mp3' },
      },
    });
  });

  it('is treated as "no clips" when it is anything else', () => {
    for (const json of [null, 'x', 42, {}, { version: 2, clips: {} }, { version: 1 }]) {
      expect(parseVoiceIndex(json)).toBeNull();
    }
  });
});

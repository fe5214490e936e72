/**
 * The build's voice step: every prompt in both languages gets a clip, a recorded clip replaces the
 * synthetic one, and the build manifest learns which files and folders to watch.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { languages } from '../kiosk/bridge/protocol.ts';
import { voiceFileStem, voicePromptIds } from '../kiosk/ui/voice/prompts.ts';
import { buildVoiceClips, type VoiceBuildResult } from './voice-clips.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');
const canSpeak = ['espeak-ng', 'sox'].every((tool) => spawnSync(tool, ['--version']).status === 0);
if (!canSpeak && process.env.CI)
  throw new Error('espeak-ng and sox are needed (npm test installs them as root)');

const runWithSpeech = canSpeak ? describe : describe.skip;

runWithSpeech('voice clips at build time', () => {
  let dir: string;
  let outDir: string;
  let recorded: string;
  let result: VoiceBuildResult;
  const savedEnv = process.env.MASHANG_VOICE_DIR;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'mashang-voice-'));
    outDir = path.join(dir, 'ui');
    recorded = path.join(dir, 'recorded');
    mkdirSync(path.join(recorded, 'zh-CN'), { recursive: true });
    // A province's recording of one prompt (content is not inspected; it is copied as is).
    writeFileSync(path.join(recorded, 'zh-CN', 'identify.mp3'), 'ID3 recorded by the province');
    process.env.MASHANG_VOICE_DIR = recorded;
    result = await buildVoiceClips({ root: ROOT, outDir, log: () => {}, warn: () => {} });
  }, 120_000);

  afterAll(() => {
    if (savedEnv === undefined) delete process.env.MASHANG_VOICE_DIR;
    else process.env.MASHANG_VOICE_DIR = savedEnv;
    rmSync(dir, { recursive: true, force: true });
  });

  it('makes a clip for every prompt in both languages, listed in voice/index.json', () => {
    const index = JSON.parse(readFileSync(path.join(outDir, 'voice/index.json'), 'utf8'));
    for (const lang of languages) {
      for (const id of voicePromptIds) {
        const file = index.clips[lang][id] as string;
        expect(file, `${lang} ${id}`).toMatch(
          new RegExp(`^voice/${lang}/${voiceFileStem(id)}\\.(ogg|mp3)$`),
        );
        const bytes = readFileSync(path.join(outDir, file));
        if (file.endsWith('.ogg')) {
          expect(bytes.subarray(0, 4).toString('latin1')).toBe('OggS');
          expect(bytes.length).toBeGreaterThan(2_000); // a real sentence, not an empty stream
          expect(bytes.length).toBeLessThan(200_000); // small enough to ship dozens
        }
      }
    }
  });

  it('uses a recorded clip where there is one, and the synthetic voice elsewhere', () => {
    const index = JSON.parse(readFileSync(path.join(outDir, 'voice/index.json'), 'utf8'));
    expect(index.clips['zh-CN'].identify).toBe('voice/zh-CN/identify.mp3');
    expect(readFileSync(path.join(outDir, 'voice/zh-CN/identify.mp3'), 'utf8')).toBe(
      'ID3 recorded by the province',
    );
    expect(index.clips.en.identify).toBe('voice/en/identify.ogg');
    expect(index.clips['zh-CN'].collect).toBe('voice/zh-CN/collect.ogg');
  });

  it('tells the build manifest what to watch, so a new recording triggers a rebuild', () => {
    expect(result.inputs).toEqual(
      expect.arrayContaining([
        path.join(recorded, 'zh-CN', 'identify.mp3'),
        path.join(recorded, 'zh-CN'),
        recorded,
        'kiosk/ui/voice/prompts.ts',
        'kiosk/ui/i18n/messages.ts',
      ]),
    );
    expect(result.absent).toEqual([path.join(recorded, 'en')]);
    expect(result.outputs).toEqual([path.join(outDir, 'voice/index.json')]);
  });
});

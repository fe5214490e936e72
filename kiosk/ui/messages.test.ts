import { describe, expect, it } from 'vitest';
import { failureReasons, productionStages, screenIds } from '../bridge/protocol.ts';
import {
  catalogues,
  en,
  failureAdviceKey,
  failureTitleKey,
  formatFen,
  formatMessage,
  instructionKey,
  otherLanguage,
  stageKey,
  translator,
  zhCN,
} from './i18n/messages.ts';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('message catalogues', () => {
  it('have exactly the same keys', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zhCN).sort());
  });

  it('have no empty strings', () => {
    for (const [lang, catalogue] of Object.entries(catalogues)) {
      for (const [key, text] of Object.entries(catalogue)) {
        expect(text.trim(), `${lang} ${key}`).not.toBe('');
      }
    }
  });

  it('use the same placeholders in both languages', () => {
    for (const key of Object.keys(zhCN) as (keyof typeof zhCN)[]) {
      expect(placeholders(en[key]), key).toEqual(placeholders(zhCN[key]));
    }
  });

  it('have one instruction per screen, a title and advice per failure, a name per stage', () => {
    for (const screen of screenIds) expect(zhCN).toHaveProperty([instructionKey(screen)]);
    for (const reason of failureReasons) {
      expect(zhCN).toHaveProperty([failureTitleKey(reason)]);
      expect(zhCN).toHaveProperty([failureAdviceKey(reason)]);
    }
    for (const stage of productionStages) expect(zhCN).toHaveProperty([stageKey(stage)]);
  });

  it('label the language toggle with the other language', () => {
    expect(translator('zh-CN')('lang.switchTo')).toBe('English');
    expect(translator('en')('lang.switchTo')).toBe('中文');
    expect(otherLanguage('zh-CN')).toBe('en');
    expect(otherLanguage('en')).toBe('zh-CN');
  });

  it('carry the exact labels the end-to-end test clicks', () => {
    const zh = translator('zh-CN');
    const e = translator('en');
    expect(zh('attract.start')).toBe('补办社保卡');
    expect(e('attract.start')).toBe('Reissue a lost card');
    expect([zh('common.cancel'), e('common.cancel')]).toEqual(['取消', 'Cancel']);
    expect([zh('confirm.confirm'), e('confirm.confirm')]).toEqual(['确认补办', 'Confirm']);
    expect([zh('failed.back'), e('failed.back')]).toEqual(['返回首页', 'Back to start']);
    expect([zh('idle.continue'), e('idle.continue')]).toEqual(['继续', 'Continue']);
    expect(zh('step', { index: 2, total: 5 })).toBe('第 2 步 / 共 5 步');
    expect(e('step', { index: 2, total: 5 })).toBe('Step 2 of 5');
  });
});

describe('formatting', () => {
  it('fills placeholders and leaves unknown ones visible', () => {
    expect(formatMessage('第 {n} 次尝试', { n: 2 })).toBe('第 2 次尝试');
    expect(formatMessage('{a} and {b}', { a: 1 })).toBe('1 and {b}');
    expect(formatMessage('no params')).toBe('no params');
  });

  it('formats fen as yuan without float errors', () => {
    expect(formatFen(1200)).toBe('¥12.00');
    expect(formatFen(5)).toBe('¥0.05');
    expect(formatFen(1999)).toBe('¥19.99');
    expect(formatFen(10)).toBe('¥0.10');
  });
});

import fc from 'fast-check';
import * as fontkit from 'fontkit';
import { describe, expect, it } from 'vitest';
import { cjkFonts, missingCharacters, MISSING_CHARACTER_MARK, openCjkFont } from './font.ts';
import { ELLIPSIS, fitText, textWidth } from './text-fit.ts';

const fonts = (() => {
  const result = cjkFonts();
  if (!result.ok) throw new Error(result.error.detail);
  return result.value;
})();

describe('text laid out by rule', () => {
  const box = { x: 10, y: 20, width: 300, height: 80 };

  it('keeps text that fits as it is', () => {
    const fitted = fitText(fonts, '王秀英', box, { size: 40, minSize: 20, maxLines: 2 });
    expect(fitted.lines).toEqual(['王秀英']);
    expect(fitted.size).toBe(40);
    expect(fitted.shrunk || fitted.ellipsized).toBe(false);
  });

  it('shrinks a name before it wraps it, and wraps before it cuts', () => {
    const shrunk = fitText(fonts, '欧阳娜娜娜娜娜娜', box, { size: 40, minSize: 30, maxLines: 2 });
    expect(shrunk.lines).toHaveLength(1);
    expect(shrunk.size).toBeLessThan(40);
    expect(shrunk.size).toBeGreaterThanOrEqual(30);
    const wrapped = fitText(fonts, '阿卜杜热西提·阿卜杜拉·买买提', box, {
      size: 40,
      minSize: 30,
      maxLines: 2,
    });
    expect(wrapped.lines).toHaveLength(2);
    const cut = fitText(
      fonts,
      '新疆维吾尔自治区伊犁哈萨克自治州察布查尔锡伯自治县琼博拉镇人民政府',
      box,
      { size: 40, minSize: 30, maxLines: 2 },
    );
    expect(cut.ellipsized).toBe(true);
    expect(cut.lines.at(-1)!.endsWith(ELLIPSIS)).toBe(true);
  });

  it('wraps sentences first when asked, keeping numbers and masked IDs whole where it can', () => {
    const fitted = fitText(
      fonts,
      '身份证 3301**********123X 已挂失',
      { x: 0, y: 0, width: 260 },
      { size: 28, maxLines: 3, prefer: 'wrap' },
    );
    expect(fitted.size).toBe(28);
    expect(fitted.lines.some((line) => line.includes('3301**********123X'))).toBe(true);
  });

  it('does not start a line with a closing mark', () => {
    const text = '如卡面信息有误或卡片无法使用，请持本凭条和身份证到服务窗口办理。';
    for (let width = 100; width < 500; width += 7) {
      const fitted = fitText(
        fonts,
        text,
        { x: 0, y: 0, width },
        { size: 24, maxLines: 20, prefer: 'wrap' },
      );
      for (const line of fitted.lines.slice(1))
        expect('，。、）'.includes(line[0]!), `${width}: ${line}`).toBe(false);
    }
  });

  it('prints nothing for missing text and a geta mark (〓) for a character the font lacks', () => {
    expect(fitText(fonts, undefined, box, { size: 30 }).ops).toEqual([]);
    expect(fitText(fonts, '   ', box, { size: 30 }).ops).toEqual([]);
    const fitted = fitText(fonts, '王𪚥英', box, { size: 30 });
    expect(fitted.replaced).toEqual(['𪚥']);
    expect(fitted.lines).toEqual([`王${MISSING_CHARACTER_MARK}英`]);
  });

  it('never overflows its box, whatever the text', () => {
    const chars = fc.constantFrom(
      ...'王秀英阿卜杜拉·买提新疆维吾尔自治区ABCxyz0123456789 -/*，。（）…W'.split(''),
      '𪚥',
      '\n',
      '\t',
    );
    fc.assert(
      fc.property(
        fc.array(chars, { maxLength: 80 }).map((a) => a.join('')),
        fc.integer({ min: 20, max: 500 }),
        fc.integer({ min: 12, max: 200 }),
        fc.integer({ min: 12, max: 48 }),
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom('shrink' as const, 'wrap' as const),
        (text, width, height, size, maxLines, prefer) => {
          const fitted = fitText(
            fonts,
            text,
            { x: 0, y: 0, width, height },
            { size, minSize: Math.max(8, size / 2), maxLines, prefer, valign: 'middle' },
          );
          expect(fitted.lines.length).toBeLessThanOrEqual(maxLines);
          for (const op of fitted.ops) {
            expect(textWidth(fonts.regular, op.text, op.size)).toBeLessThanOrEqual(width + 1e-6);
            expect(op.baseline - op.size * 0.88).toBeGreaterThanOrEqual(-1e-6);
            expect(op.baseline + op.size * 0.12).toBeLessThanOrEqual(height + 1e-6);
          }
        },
      ),
      { numRuns: 300, seed: 9 },
    );
  });
});

describe('the CJK font', () => {
  it('is the Simplified Chinese face of the collection, not its first (Japanese) one', () => {
    expect(fonts.regular.postscriptName).toBe('NotoSansCJKsc-Regular');
    const jp = fontkit.create(fonts.regular.buffer, 'NotoSansCJKjp-Regular') as fontkit.Font;
    // 骨 and 直 are drawn differently in China and Japan: each face maps them to its own glyph.
    for (const char of '骨直') {
      const sc = fonts.regular.font.layout(char).glyphs[0]!;
      const ja = jp.layout(char).glyphs[0]!;
      expect(sc.id).not.toBe(0);
      expect(sc.id).not.toBe(ja.id);
      expect(sc.path.toSVG()).not.toBe(ja.path.toSVG());
    }
  });

  it('says which characters it lacks', () => {
    expect(missingCharacters('王秀英·ABC', fonts.regular.font)).toEqual([]);
    expect(missingCharacters('王𪚥英𪚥', fonts.regular.font)).toEqual(['𪚥']);
  });

  it('answers fontUnavailable, not garbage, when the collection is not installed', () => {
    const result = openCjkFont('regular', ['/nonexistent/fonts']);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.detail).toContain('fonts-noto-cjk');
  });
});

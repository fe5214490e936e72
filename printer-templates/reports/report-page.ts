/**
 * The building blocks of the A4 reports: a flow of headings, key figures, tables, call-outs and a
 * bar chart that breaks onto new pages by itself, with a header and "page n of N" footer on each.
 * Everything lands as drawing operations (display-list.ts), so a report renders to PDF and, for
 * its golden image, to a raster from the same source.
 */
import type { Colour, Op, Page, PrintDocument } from '../render/display-list.ts';
import { fitText, textWidth, type Fonts, type TextStyle } from '../render/text-fit.ts';

/** A4 at 150 dpi: enough for an office printer's text, small enough to rasterise for a test. */
export const REPORT_DPI = 150;
export const A4_WIDTH_DOTS = 1240;
export const A4_HEIGHT_DOTS = 1754;
const MARGIN = 90;
const FOOTER_SPACE = 70;
const CONTENT_WIDTH = A4_WIDTH_DOTS - 2 * MARGIN;

/** The ideographic space (U+3000) that separates items in Chinese running text. */
export const SPACE = '\u3000';

export const SIZES = { title: 46, heading: 32, body: 25, small: 21, figure: 44 } as const;
export const INK = {
  text: '#111111',
  muted: '#555555',
  rule: '#999999',
  fill: '#eef2f7',
  ok: '#1e7b34',
  bad: '#b3261e',
  warn: '#9a6700',
} as const satisfies Record<string, Colour>;

export interface TableColumn {
  title: string;
  /** Share of the content width. */
  width: number;
  align?: 'left' | 'center' | 'right';
}

export interface Bar {
  label: string;
  values: number[];
}

export class ReportBuilder {
  readonly #fonts: Fonts;
  readonly #title: string;
  readonly #header: string;
  readonly #footer: string;
  readonly #pages: Op[][] = [];
  #ops: Op[] = [];
  #y = 0;

  constructor(fonts: Fonts, title: string, header: string, footer: string) {
    this.#fonts = fonts;
    this.#title = title;
    this.#header = header;
    this.#footer = footer;
    this.#newPage();
  }

  get fonts(): Fonts {
    return this.#fonts;
  }

  #newPage(): void {
    if (this.#pages.length > 0 || this.#ops.length > 0) this.#pages.push(this.#ops);
    this.#ops = [];
    this.#y = MARGIN;
    const first = this.#pages.length === 0;
    const title = fitText(
      this.#fonts,
      this.#title,
      { x: MARGIN, y: this.#y, width: CONTENT_WIDTH },
      {
        size: first ? SIZES.title : SIZES.heading,
        minSize: SIZES.body,
        weight: 'bold',
        colour: INK.text,
      },
    );
    this.#ops.push(...title.ops);
    this.#y += title.height + 12;
    const header = fitText(
      this.#fonts,
      this.#header,
      { x: MARGIN, y: this.#y, width: CONTENT_WIDTH },
      { size: SIZES.small, maxLines: 2, prefer: 'wrap', colour: INK.muted },
    );
    this.#ops.push(...header.ops);
    this.#y += header.height + 14;
    this.#ops.push({
      kind: 'rect',
      x: MARGIN,
      y: Math.round(this.#y),
      width: CONTENT_WIDTH,
      height: 3,
      fill: INK.text,
    });
    this.#y = Math.round(this.#y) + 30;
  }

  /** Starts a new page unless `height` more dots fit on this one. */
  ensure(height: number): void {
    if (this.#y + height > A4_HEIGHT_DOTS - MARGIN - FOOTER_SPACE) this.#newPage();
  }

  space(dots: number): void {
    this.#y += dots;
  }

  heading(text: string, colour: Colour = INK.text): void {
    this.ensure(SIZES.heading * 4);
    this.#y += 10;
    const fitted = fitText(
      this.#fonts,
      text,
      { x: MARGIN, y: this.#y, width: CONTENT_WIDTH },
      { size: SIZES.heading, minSize: SIZES.body, weight: 'bold', colour },
    );
    this.#ops.push(...fitted.ops);
    this.#y += fitted.height + 8;
    this.#ops.push({
      kind: 'rect',
      x: MARGIN,
      y: Math.round(this.#y),
      width: CONTENT_WIDTH,
      height: 1,
      fill: INK.rule,
    });
    this.#y = Math.round(this.#y) + 18;
  }

  paragraph(text: string, style: Partial<TextStyle> = {}): void {
    const probe = fitText(
      this.#fonts,
      text,
      { x: MARGIN, y: 0, width: CONTENT_WIDTH },
      { size: SIZES.body, maxLines: 12, prefer: 'wrap', colour: INK.text, ...style },
    );
    this.ensure(probe.height + 10);
    const fitted = fitText(
      this.#fonts,
      text,
      { x: MARGIN, y: this.#y, width: CONTENT_WIDTH },
      { size: SIZES.body, maxLines: 12, prefer: 'wrap', colour: INK.text, ...style },
    );
    this.#ops.push(...fitted.ops);
    this.#y += fitted.height + 14;
  }

  /** Big numbers in a row of boxes: label above, figure below. */
  figures(items: { label: string; value: string; colour?: Colour }[]): void {
    const count = Math.max(1, items.length);
    const gap = 16;
    const boxWidth = (CONTENT_WIDTH - gap * (count - 1)) / count;
    const boxHeight = 108;
    this.ensure(boxHeight + 20);
    items.forEach((item, index) => {
      const x = Math.round(MARGIN + index * (boxWidth + gap));
      const width = Math.round(boxWidth);
      this.#ops.push({
        kind: 'rect',
        x,
        y: Math.round(this.#y),
        width,
        height: boxHeight,
        fill: INK.fill,
      });
      this.#ops.push(
        ...fitText(
          this.#fonts,
          item.label,
          { x: x + 14, y: this.#y + 14, width: width - 28, height: 30 },
          { size: SIZES.small, minSize: 14, colour: INK.muted },
        ).ops,
      );
      this.#ops.push(
        ...fitText(
          this.#fonts,
          item.value,
          { x: x + 14, y: this.#y + 52, width: width - 28, height: 54 },
          {
            size: SIZES.figure,
            minSize: 20,
            weight: 'bold',
            colour: item.colour ?? INK.text,
            valign: 'middle',
          },
        ).ops,
      );
    });
    this.#y = Math.round(this.#y) + boxHeight + 24;
  }

  /** A boxed statement with a coloured bar on its left: the verdict of a section. */
  callout(title: string, detail: string, colour: Colour): void {
    const width = CONTENT_WIDTH - 40;
    const titleFit = fitText(
      this.#fonts,
      title,
      { x: 0, y: 0, width },
      { size: SIZES.heading, minSize: SIZES.body, weight: 'bold' },
    );
    const detailFit = fitText(
      this.#fonts,
      detail,
      { x: 0, y: 0, width },
      { size: SIZES.body, maxLines: 6, prefer: 'wrap' },
    );
    const height = Math.ceil(titleFit.height + (detail ? detailFit.height + 12 : 0) + 36);
    this.ensure(height + 20);
    const top = Math.round(this.#y);
    this.#ops.push({
      kind: 'rect',
      x: MARGIN,
      y: top,
      width: CONTENT_WIDTH,
      height,
      fill: INK.fill,
    });
    this.#ops.push({ kind: 'rect', x: MARGIN, y: top, width: 10, height, fill: colour });
    const t = fitText(
      this.#fonts,
      title,
      { x: MARGIN + 30, y: top + 18, width },
      { size: SIZES.heading, minSize: SIZES.body, weight: 'bold', colour },
    );
    this.#ops.push(...t.ops);
    if (detail)
      this.#ops.push(
        ...fitText(
          this.#fonts,
          detail,
          { x: MARGIN + 30, y: top + 18 + t.height + 12, width },
          { size: SIZES.body, maxLines: 6, prefer: 'wrap', colour: INK.text },
        ).ops,
      );
    this.#y = top + height + 24;
  }

  /** Label–value pairs in `columns` columns. Values wrap (up to 3 lines). */
  keyValues(pairs: { label: string; value: string; colour?: Colour }[], columns = 2): void {
    const gap = 40;
    const columnWidth = (CONTENT_WIDTH - gap * (columns - 1)) / columns;
    const labelWidth = Math.min(
      columnWidth * 0.45,
      Math.max(0, ...pairs.map((p) => textWidth(this.#fonts.regular, p.label, SIZES.body))) + 20,
    );
    for (let i = 0; i < pairs.length; i += columns) {
      const row = pairs.slice(i, i + columns);
      const fits = row.map((pair, c) => {
        const x = MARGIN + c * (columnWidth + gap);
        return {
          pair,
          x,
          value: fitText(
            this.#fonts,
            pair.value || '—',
            { x: x + labelWidth, y: 0, width: columnWidth - labelWidth },
            {
              size: SIZES.body,
              minSize: SIZES.small,
              maxLines: 3,
              prefer: 'wrap',
              colour: pair.colour ?? INK.text,
            },
          ),
        };
      });
      const height = Math.max(SIZES.body, ...fits.map((f) => f.value.height));
      this.ensure(height + 12);
      for (const f of fits) {
        const value = fitText(
          this.#fonts,
          f.pair.value || '—',
          { x: f.x + labelWidth, y: this.#y, width: columnWidth - labelWidth },
          {
            size: SIZES.body,
            minSize: SIZES.small,
            maxLines: 3,
            prefer: 'wrap',
            colour: f.pair.colour ?? INK.text,
          },
        );
        this.#ops.push(...value.ops);
        const label = fitText(
          this.#fonts,
          f.pair.label,
          { x: f.x, y: this.#y, width: labelWidth - 16 },
          { size: SIZES.body, minSize: 14, colour: INK.muted },
        );
        this.#ops.push(
          ...label.ops.map((op) => ({ ...op, baseline: value.ops[0]?.baseline ?? op.baseline })),
        );
      }
      this.#y += height + 12;
    }
    this.#y += 10;
  }

  /** A table with a shaded header row, repeated on every page it spans. Cells shrink, then end in "…". */
  table(columns: TableColumn[], rows: { cells: string[]; colour?: Colour }[]): void {
    const rowHeight = 40;
    const total = columns.reduce((sum, c) => sum + c.width, 0) || 1;
    const xs: number[] = [];
    let x = MARGIN;
    for (const column of columns) {
      xs.push(x);
      x += (column.width / total) * CONTENT_WIDTH;
    }
    const header = () => {
      const top = Math.round(this.#y);
      this.#ops.push({
        kind: 'rect',
        x: MARGIN,
        y: top,
        width: CONTENT_WIDTH,
        height: rowHeight,
        fill: INK.fill,
      });
      columns.forEach((column, c) => {
        const width = (column.width / total) * CONTENT_WIDTH - 16;
        this.#ops.push(
          ...fitText(
            this.#fonts,
            column.title,
            { x: xs[c]! + 8, y: top, width, height: rowHeight },
            {
              size: SIZES.small,
              minSize: 14,
              weight: 'bold',
              align: column.align,
              valign: 'middle',
            },
          ).ops,
        );
      });
      this.#y = top + rowHeight;
    };
    this.ensure(rowHeight * 2);
    header();
    for (const row of rows) {
      if (this.#y + rowHeight > A4_HEIGHT_DOTS - MARGIN - FOOTER_SPACE) {
        this.#newPage();
        header();
      }
      const top = Math.round(this.#y);
      columns.forEach((column, c) => {
        const width = (column.width / total) * CONTENT_WIDTH - 16;
        this.#ops.push(
          ...fitText(
            this.#fonts,
            row.cells[c] ?? '',
            { x: xs[c]! + 8, y: top, width, height: rowHeight },
            {
              size: SIZES.small,
              minSize: 15,
              align: column.align,
              valign: 'middle',
              colour: row.colour ?? INK.text,
            },
          ).ops,
        );
      });
      this.#ops.push({
        kind: 'rect',
        x: MARGIN,
        y: top + rowHeight - 1,
        width: CONTENT_WIDTH,
        height: 1,
        fill: INK.rule,
      });
      this.#y = top + rowHeight;
    }
    this.#y += 24;
  }

  /**
   * Stacked bars, one per label, the series in `colours` order, with a legend and a value axis
   * rounded up to a whole step.
   */
  barChart(bars: Bar[], series: { name: string; colour: Colour }[], axisTitle: string): void {
    const height = 360;
    this.ensure(height + 40);
    const top = Math.round(this.#y);
    const legendHeight = 40;
    const axisWidth = 70;
    const labelHeight = 36;
    const plot = {
      x: MARGIN + axisWidth,
      y: top + legendHeight + 10,
      width: CONTENT_WIDTH - axisWidth,
      height: height - legendHeight - labelHeight - 20,
    };
    // Legend.
    let lx = plot.x;
    for (const s of series) {
      this.#ops.push({
        kind: 'rect',
        x: Math.round(lx),
        y: top + 8,
        width: 24,
        height: 24,
        fill: s.colour,
      });
      const name = fitText(
        this.#fonts,
        s.name,
        { x: lx + 34, y: top + 4, width: 220, height: 32 },
        { size: SIZES.small, valign: 'middle' },
      );
      this.#ops.push(...name.ops);
      lx += 34 + textWidth(this.#fonts.regular, s.name, SIZES.small) + 40;
    }
    this.#ops.push(
      ...fitText(
        this.#fonts,
        axisTitle,
        { x: MARGIN + CONTENT_WIDTH - 300, y: top + 4, width: 300, height: 32 },
        { size: SIZES.small, align: 'right', valign: 'middle', colour: INK.muted },
      ).ops,
    );
    // Axis: a step of 1, 2 or 5 × 10^n giving at most 5 gridlines.
    const max = Math.max(
      1,
      ...bars.map((b) => b.values.reduce((sum, v) => sum + Math.max(0, v), 0)),
    );
    const rough = max / 5;
    const magnitude = 10 ** Math.floor(Math.log10(rough));
    const step = Math.max(
      1,
      [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough) ?? magnitude * 10,
    );
    const axisMax = Math.ceil(max / step) * step;
    for (let v = 0; v <= axisMax; v += step) {
      const y = Math.round(plot.y + plot.height - (v / axisMax) * plot.height);
      this.#ops.push({
        kind: 'rect',
        x: plot.x,
        y,
        width: plot.width,
        height: v === 0 ? 2 : 1,
        fill: v === 0 ? INK.text : '#d0d0d0',
      });
      this.#ops.push(
        ...fitText(
          this.#fonts,
          String(v),
          { x: MARGIN, y: y - 14, width: axisWidth - 12, height: 28 },
          { size: SIZES.small, align: 'right', valign: 'middle', colour: INK.muted },
        ).ops,
      );
    }
    // Bars.
    const slot = plot.width / Math.max(1, bars.length);
    const barWidth = Math.max(2, Math.round(slot * 0.66));
    bars.forEach((bar, i) => {
      const x = Math.round(plot.x + i * slot + (slot - barWidth) / 2);
      let base = plot.y + plot.height;
      bar.values.forEach((value, s) => {
        if (value <= 0) return;
        const h = (value / axisMax) * plot.height;
        this.#ops.push({
          kind: 'rect',
          x,
          y: Math.round(base - h),
          width: barWidth,
          height: Math.round(base) - Math.round(base - h),
          fill: series[s]?.colour ?? INK.text,
        });
        base -= h;
      });
      this.#ops.push(
        ...fitText(
          this.#fonts,
          bar.label,
          {
            x: plot.x + i * slot,
            y: plot.y + plot.height + 8,
            width: slot,
            height: labelHeight - 8,
          },
          { size: SIZES.small - 3, minSize: 10, align: 'center', colour: INK.muted },
        ).ops,
      );
    });
    this.#y = top + height + 24;
  }

  /** The finished document, each page with its footer (“第 n 页 / 共 N 页”). */
  finish(): PrintDocument {
    const pages = [...this.#pages, this.#ops];
    const total = pages.length;
    return {
      title: this.#title,
      pages: pages.map((ops, index): Page => {
        const y = A4_HEIGHT_DOTS - MARGIN - 30;
        const footer = fitText(
          this.#fonts,
          this.#footer,
          { x: MARGIN, y, width: CONTENT_WIDTH * 0.75, height: 30 },
          { size: SIZES.small - 2, minSize: 12, colour: INK.muted },
        );
        const number = fitText(
          this.#fonts,
          `第 ${index + 1} 页 / 共 ${total} 页`,
          { x: MARGIN, y, width: CONTENT_WIDTH, height: 30 },
          { size: SIZES.small - 2, align: 'right', colour: INK.muted },
        );
        return {
          width: A4_WIDTH_DOTS,
          height: A4_HEIGHT_DOTS,
          dpi: REPORT_DPI,
          ops: [
            ...ops,
            { kind: 'rect', x: MARGIN, y: y - 14, width: CONTENT_WIDTH, height: 1, fill: INK.rule },
            ...footer.ops,
            ...number.ops,
          ],
        };
      }),
    };
  }
}

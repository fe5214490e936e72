/**
 * Fixed data for the golden images, the benchmarks and a developer's previews
 * (`npx tsx printer-templates/preview.ts`). Invented people; the photo is drawn here.
 */
import type { RgbImage } from './render/display-list.ts';
import type { CardFaceFacts } from './card-face/card-face.ts';
import type { ReceiptFacts } from './receipt/receipt.ts';
import type { DailyReportFacts } from './reports/daily-report.ts';
import type { ReadinessFacts } from './reports/readiness-report.ts';

export const SAMPLE_RECEIPT: ReceiptFacts = {
  siteName: '马上村便民服务中心',
  kioskId: 'demo-001',
  time: new Date(2026, 10, 25, 9, 30),
  transactionNo: 'demo-001-20261125093000-AB12',
  maskedName: '王*英',
  maskedIdNumber: '3301**********123X',
  maskedCardNo: '*****5678',
  feeFen: 1250,
  lossReported: true,
};

export const SAMPLE_CARD: CardFaceFacts = {
  name: '王秀英',
  socialSecurityNumber: '33010619900101123X',
  cardNumber: 'A12345678',
  issueDate: new Date(2026, 10, 25),
  issuingArea: '浙江省杭州市西湖区',
};

/** A 15-character name and a 35-character issuing area: the rules must shrink, wrap and cut. */
export const LONG_CARD: CardFaceFacts = {
  name: '阿卜杜热西提·阿卜杜拉·买买提',
  socialSecurityNumber: '650104198807071234',
  cardNumber: 'X98765432',
  issueDate: '20261125',
  issuingArea: '新疆维吾尔自治区伊犁哈萨克自治州察布查尔锡伯自治县琼博拉镇人民政府便民服务中心',
};

/** An ID-photo-like portrait, 26 × 32 proportions: blue background, head, shoulders. */
export function samplePhoto(width = 260, height = 320): RgbImage {
  const rgb = new Uint8Array(width * height * 3);
  const head = { x: width / 2, y: height * 0.4, rx: width * 0.23, ry: height * 0.21 };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const dx = (x - head.x) / head.rx;
      const dy = (y - head.y) / head.ry;
      const inHead = dx * dx + dy * dy <= 1;
      const inHair = inHead && y < head.y - head.ry * 0.4;
      const shoulders =
        y > height * 0.68 &&
        Math.abs(x - width / 2) < width * (0.22 + (y - height * 0.68) / height);
      const shade = Math.round(40 * (y / height));
      const colour = inHair
        ? [35, 28, 24]
        : inHead
          ? [232 - shade / 2, 190 - shade / 2, 160 - shade / 2]
          : shoulders
            ? [40, 52, 88]
            : [90 + shade, 150 + shade, 220];
      rgb.set(colour, (y * width + x) * 3);
    }
  }
  return { width, height, rgb };
}

export const SAMPLE_DAILY: DailyReportFacts = {
  kioskId: 'demo-001',
  siteName: '马上村便民服务中心',
  day: new Date(2026, 10, 25),
  generatedAt: new Date(2026, 10, 25, 18, 5),
  cards: { issued: 23, rejected: 2, retained: 1 },
  stock: { opening: 80, loaded: 100, remaining: 154 },
  reconciliation: { balanced: true, ledgerRemaining: 154, printerRemaining: 154 },
  outbox: { pending: 2, oldestPendingAt: new Date(2026, 10, 25, 17, 42) },
  perHour: [
    { hour: 8, issued: 1, rejected: 0, retained: 0 },
    { hour: 9, issued: 4, rejected: 1, retained: 0 },
    { hour: 10, issued: 6, rejected: 0, retained: 0 },
    { hour: 11, issued: 3, rejected: 0, retained: 1 },
    { hour: 13, issued: 2, rejected: 0, retained: 0 },
    { hour: 14, issued: 3, rejected: 1, retained: 0 },
    { hour: 15, issued: 2, rejected: 0, retained: 0 },
    { hour: 16, issued: 2, rejected: 0, retained: 0 },
  ],
};

export const SAMPLE_READINESS: ReadinessFacts = {
  kioskId: 'demo-001',
  siteName: '马上村便民服务中心',
  generatedAt: new Date(2026, 10, 25, 8, 15),
  softwareVersion: '0.1.0',
  configDigest: 'sha256:9f2c4e7a1b3d5f60718293a4b5c6d7e8f90112233445566778899aabbccddeef',
  technician: 'T-07',
  devices: [
    {
      kind: 'card-printer',
      name: '制卡打印机',
      model: 'Evolis Primacy',
      serialNumber: 'PRI-0123456',
      firmware: '1.7.0',
      transport: '串口 /dev/ttyUSB0',
      state: 'warning',
      detail: '即将需要清洁',
      selfTests: [
        { name: '通信', result: 'pass', detail: 'Rfv 应答 12 ms' },
        { name: '色带', result: 'pass', detail: 'YMCKO，剩余 68%' },
        { name: '进卡通道', result: 'pass' },
      ],
      counters: [
        { label: '累计制卡', value: 1234 },
        { label: '距下次清洁', value: '46 张', attention: true },
      ],
    },
    {
      kind: 'receipt-printer',
      name: '凭条打印机',
      model: 'ESC/POS 80 mm',
      serialNumber: 'RP-778899',
      firmware: '2.03',
      transport: '串口 /dev/ttyUSB1',
      state: 'fault',
      detail: '纸将尽',
      selfTests: [
        { name: '状态查询 DLE EOT', result: 'pass' },
        { name: '测试页', result: 'fail', detail: '缺纸传感器报警' },
      ],
      counters: [{ label: '累计凭条', value: 5678 }],
    },
    {
      kind: 'id-reader',
      name: '身份证阅读器',
      model: 'GA/T 467',
      serialNumber: '05.01-20261125-0001',
      firmware: null,
      transport: 'USB HID',
      state: 'ready',
      selfTests: [{ name: 'SAM 模块', result: 'pass' }],
      counters: [],
    },
  ],
};

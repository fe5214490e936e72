/**
 * The resident's receipt: its content (one model, masked data only) and its ESC/POS encoding in
 * text mode with a native QR code (PROTOCOLS.md §4). PDF and raster outputs come with the full
 * template work; both will render this same model.
 */
import iconv from 'iconv-lite';

export interface ReceiptModel {
  title: string;
  lines: { label: string; value: string }[];
  qrText: string;
  footer: string;
}

export interface ReceiptFacts {
  siteName: string;
  kioskId: string;
  time: Date;
  transactionNo: string;
  maskedName: string;
  maskedIdNumber: string;
  maskedCardNo: string;
  feeFen: number;
  lossReported: boolean;
}

export function receiptModel(facts: ReceiptFacts): ReceiptModel {
  const fee = facts.feeFen === 0 ? '免费' : `¥${(facts.feeFen / 100).toFixed(2)}`;
  return {
    title: '社会保障卡补办凭条',
    lines: [
      { label: '网点', value: facts.siteName },
      { label: '终端', value: facts.kioskId },
      { label: '时间', value: formatTime(facts.time) },
      { label: '流水号', value: facts.transactionNo },
      { label: '姓名', value: facts.maskedName },
      { label: '身份证', value: facts.maskedIdNumber },
      { label: '原卡号', value: facts.maskedCardNo },
      { label: '办理', value: facts.lossReported ? '原卡已挂失，新卡已制发' : '新卡已制发' },
      { label: '费用', value: fee },
    ],
    qrText: `MASHANG:${facts.transactionNo}`,
    footer: '如有问题，请持本凭条到服务窗口咨询。',
  };
}

function formatTime(time: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${time.getFullYear()}-${p(time.getMonth() + 1)}-${p(time.getDate())} ${p(time.getHours())}:${p(time.getMinutes())}`;
}

/** ESC/POS bytes (PROTOCOLS.md §4, confidence H). */
const ESC_INIT = [0x1b, 0x40];
const FS_CHINESE_ON = [0x1c, 0x26];
const FS_CHINESE_OFF = [0x1c, 0x2e];
const ESC_ALIGN = (n: 0 | 1 | 2) => [0x1b, 0x61, n];
const GS_CUT_PARTIAL_FEED = [0x1d, 0x56, 66, 0];
const LF = 0x0a;

/** `GS ( k` QR sequence: model 2, module size, error level M, store, print. */
function qrCommands(text: string, moduleSize = 6): number[] {
  const data = [...Buffer.from(text, 'ascii')];
  const storeLength = data.length + 3;
  return [
    ...[0x1d, 0x28, 0x6b, 4, 0, 0x31, 0x41, 0x32, 0x00], // fn 165: model 2
    ...[0x1d, 0x28, 0x6b, 3, 0, 0x31, 0x43, moduleSize], // fn 167: module size
    ...[0x1d, 0x28, 0x6b, 3, 0, 0x31, 0x45, 0x31], // fn 169: error correction M
    ...[0x1d, 0x28, 0x6b, storeLength & 0xff, storeLength >> 8, 0x31, 0x50, 0x30, ...data], // fn 180: store
    ...[0x1d, 0x28, 0x6b, 3, 0, 0x31, 0x51, 0x30], // fn 181: print
  ];
}

export function receiptEscPos(model: ReceiptModel): Uint8Array {
  const text = (s: string) => [...iconv.encode(s, 'gb18030')];
  const bytes: number[] = [...ESC_INIT, ...FS_CHINESE_ON];
  bytes.push(...ESC_ALIGN(1), ...text(model.title), LF, LF, ...ESC_ALIGN(0));
  for (const line of model.lines) bytes.push(...text(`${line.label}：${line.value}`), LF);
  bytes.push(LF, ...ESC_ALIGN(1), ...qrCommands(model.qrText), LF, ...ESC_ALIGN(0));
  bytes.push(...text(model.footer), LF, ...FS_CHINESE_OFF, LF, LF, ...GS_CUT_PARTIAL_FEED);
  return new Uint8Array(bytes);
}

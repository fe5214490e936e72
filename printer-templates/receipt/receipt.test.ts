import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { receiptEscPos, receiptModel } from './receipt.ts';

const facts = {
  siteName: '马上村便民服务中心',
  kioskId: 'demo-001',
  time: new Date(2026, 10, 25, 9, 30),
  transactionNo: 'demo-001-20261125093000-AB12',
  maskedName: '王*英',
  maskedIdNumber: '3301**********123X',
  maskedCardNo: '*****5678',
  feeFen: 0,
  lossReported: true,
};

describe('the receipt', () => {
  it('says what was done, free or paid, with masked data only', () => {
    const model = receiptModel(facts);
    const text = model.lines.map((l) => `${l.label}：${l.value}`).join('\n');
    expect(text).toContain('费用：免费');
    expect(text).toContain('时间：2026-11-25 09:30');
    expect(receiptModel({ ...facts, feeFen: 1250 }).lines.at(-1)).toEqual({ label: '费用', value: '¥12.50' });
  });

  it('encodes Chinese in GB18030 between FS & and FS ., with a native QR code and a partial cut', () => {
    const bytes = Buffer.from(receiptEscPos(receiptModel(facts)));
    expect([...bytes.subarray(0, 4)]).toEqual([0x1b, 0x40, 0x1c, 0x26]);
    expect(bytes.includes(iconv.encode('社会保障卡补办凭条', 'gb18030'))).toBe(true);
    expect(bytes.includes(Buffer.from([0x1c, 0x2e]))).toBe(true);
    // GS ( k fn 180 stores the QR text; its length field counts the text plus 3.
    const store = bytes.indexOf(Buffer.from([0x1d, 0x28, 0x6b]), bytes.indexOf(Buffer.from([0x31, 0x45])));
    const qrText = `MASHANG:${facts.transactionNo}`;
    expect(bytes[store + 3]).toBe(qrText.length + 3);
    expect(bytes.subarray(store + 8, store + 8 + qrText.length).toString('ascii')).toBe(qrText);
    expect([...bytes.subarray(-4)]).toEqual([0x1d, 0x56, 66, 0]);
  });
});

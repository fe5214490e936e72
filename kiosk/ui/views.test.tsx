/**
 * The screens rendered to static HTML (react-dom/server, no DOM needed): labels the end-to-end
 * test clicks, what each screen shows, and that nothing personal leaks where it must not.
 */
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { failureReasons, screenIds, type ViewModel } from '../bridge/protocol.ts';
import { KioskView } from './app.tsx';
import { en, failureAdviceKey, failureTitleKey, zhCN } from './i18n/messages.ts';
import { stageStates } from './screens/producing.tsx';
import type { Voice } from './voice/voice-guide.tsx';

const NAME = '王小明';
const MASKED = '3201**********441X';

function base(overrides: Partial<ViewModel> = {}): ViewModel {
  return {
    screen: 'attract',
    lang: 'zh-CN',
    step: null,
    idle: null,
    resident: null,
    fee: null,
    production: null,
    verifying: null,
    payment: null,
    failure: null,
    receipt: null,
    kiosk: { id: 'K-001', siteName: '石桥村便民服务站' },
    settings: { voice: true },
    simulation: null,
    ...overrides,
  };
}

function render(view: ViewModel | null, now = 0, voice: Voice | null = null): string {
  return renderToStaticMarkup(
    <KioskView view={view} now={now} onEvent={() => {}} onSim={() => {}} voice={voice} />,
  );
}

/** A voice as the App gives it: an audio element and a toggle. */
function fakeVoice(playing: boolean): Voice {
  return {
    element: <audio src="voice/zh-CN/identify.ogg" data-voice="identify" />,
    playing,
    toggle: () => {},
  };
}

/** Text content of every <button>, tags stripped, whitespace collapsed (≈ accessible name). */
function buttons(html: string): string[] {
  return [...html.matchAll(/<button\b[^>]*>([\s\S]*?)<\/button>/g)].map((m) =>
    (m[1] ?? '')
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim(),
  );
}

describe('KioskView', () => {
  it('shows a calm bilingual connecting screen without a view', () => {
    const html = render(null);
    expect(html).toContain('正在连接…');
    expect(html).toContain('Connecting…');
    expect(buttons(html)).toEqual([]);
  });

  it('attract: title, site name, start button, language toggle', () => {
    const zh = render(base());
    expect(zh).toContain('社会保障卡自助补办');
    expect(zh).toContain('石桥村便民服务站');
    expect(buttons(zh)).toEqual(['English', '补办社保卡 Reissue a lost card']);
    const english = render(base({ lang: 'en' }));
    expect(english).toContain('Social-security card self-service');
    expect(buttons(english)).toEqual(['中文', 'Reissue a lost card']);
  });

  it('every screen renders in both languages with the language toggle and one <main> and <h1>', () => {
    for (const screen of screenIds) {
      for (const lang of ['zh-CN', 'en'] as const) {
        const html = render(
          base({
            screen,
            lang,
            failure: screen === 'failed' ? { reason: 'timeout', refund: null } : null,
          }),
        );
        expect(buttons(html)[0], `${screen} ${lang}`).toBe(lang === 'zh-CN' ? 'English' : '中文');
        expect(html.match(/<main\b/g)).toHaveLength(1);
        expect(html.match(/<h1\b/g)).toHaveLength(1);
      }
    }
  });

  it('identify: instruction, picture, cancel', () => {
    const html = render(base({ screen: 'identify', step: { index: 1, total: 5 } }));
    expect(html).toContain('请把身份证放在感应区');
    expect(html).toContain('第 1 步 / 共 5 步');
    expect(html).toMatch(/<svg[^>]*role="img"/);
    expect(buttons(html)).toEqual(['English', '取消']);
    expect(buttons(render(base({ screen: 'identify', lang: 'en' })))).toEqual(['中文', 'Cancel']);
  });

  it('lookup: spinner text and no buttons but the language', () => {
    const html = render(base({ screen: 'lookup' }));
    expect(html).toContain('正在查询，请稍候');
    expect(buttons(html)).toEqual(['English']);
  });

  it('confirm: name, masked ID, plan, fee, confirm and cancel', () => {
    const resident = { name: NAME, maskedId: MASKED, cardStatus: 'normal' as const };
    const html = render(
      base({ screen: 'confirm', resident, fee: { amountFen: 0 }, step: { index: 2, total: 5 } }),
    );
    expect(html).toContain(NAME);
    expect(html).toContain(MASKED);
    expect(html).toContain(zhCN['confirm.reportLost']);
    expect(html).toContain('免费');
    expect(buttons(html)).toEqual(['English', '取消', '确认补办']);

    const paid = render(
      base({
        screen: 'confirm',
        lang: 'en',
        resident: { ...resident, cardStatus: 'reportedLost' },
        fee: { amountFen: 1200 },
      }),
    );
    expect(paid).toContain('¥12.00');
    expect(paid).toContain(en['confirm.alreadyReportedLost']);
    expect(paid).not.toContain(en['confirm.reportLost']);
    expect(buttons(paid)).toEqual(['中文', 'Cancel', 'Confirm']);
  });

  it('producing: five stages in an <ol>, marks, attempt, no cancel', () => {
    const production = { stage: 'writingChip' as const, stagesDone: 2, attempt: 2 };
    expect(stageStates(production)).toEqual(['done', 'done', 'current', 'pending', 'pending']);
    const html = render(base({ screen: 'producing', production }));
    expect(html).toContain('正在制卡，请稍候');
    expect(html.match(/<li class="stage /g)).toHaveLength(5);
    expect(html).toContain('aria-current="step"');
    expect(html).toContain('第 2 次尝试');
    expect(buttons(html)).toEqual(['English']);
    expect(
      render(base({ screen: 'producing', production: { ...production, attempt: 1 } })),
    ).not.toContain('次尝试');
    expect(render(base({ screen: 'producing', lang: 'en', production }))).toContain('Attempt 2');
  });

  it('collect, receipt, takeIdCard', () => {
    expect(render(base({ screen: 'collect' }))).toContain('请取走您的新社保卡');
    const receipt = render(
      base({ screen: 'receipt', receipt: { transactionNo: 'T20250101-0007', printed: true } }),
    );
    expect(receipt).toContain('请取走凭条');
    expect(receipt).toContain('T20250101-0007');
    expect(render(base({ screen: 'takeIdCard', lang: 'en' }))).toContain(
      'Please take your ID card',
    );
  });

  it('failed: a message and advice per reason, and "back to start"', () => {
    for (const reason of failureReasons) {
      const html = render(base({ screen: 'failed', failure: { reason, refund: null } }));
      expect(html).toContain(zhCN[failureTitleKey(reason)]);
      expect(html).toContain(zhCN[failureAdviceKey(reason)]);
      expect(buttons(html)).toEqual(['English', '返回首页']);
    }
    expect(
      buttons(
        render(
          base({ screen: 'failed', lang: 'en', failure: { reason: 'timeout', refund: null } }),
        ),
      ),
    ).toEqual(['中文', 'Back to start']);
  });

  it('failed: while the refund is being asked, says so and offers no "back" the kiosk would not take', () => {
    const failure = { reason: 'productionFailed' as const, refund: 'pending' as const, waiting: true };
    const html = render(base({ screen: 'failed', failure }));
    expect(html).toContain(zhCN['failed.refunding']);
    expect(buttons(html)).toEqual(['English']);
    const after = render(base({ screen: 'failed', failure: { ...failure, waiting: false } }));
    expect(buttons(after)).toEqual(['English', '返回首页']);
  });

  it("failed: says where a resident's money is when they paid", () => {
    const paid = (refund: 'refunded' | 'pending' | null) =>
      render(base({ screen: 'failed', failure: { reason: 'productionFailed', refund } }));
    expect(paid('refunded')).toContain(zhCN['failed.refunded']);
    expect(paid('pending')).toContain(zhCN['failed.refundPending']);
    expect(paid(null)).not.toContain(zhCN['failed.refunded']);
    expect(paid(null)).not.toContain(zhCN['failed.refundPending']);
  });

  it('verifying: the camera, "take photo" (enabled once the camera runs) and cancel; checking has no buttons', () => {
    const first = render(
      base({ screen: 'verifying', verifying: { attempt: 1, maxAttempts: 3, checking: false } }),
    );
    expect(first).toContain(zhCN['verifying.instruction']);
    expect(first).toMatch(/<video[^>]*aria-label="摄像头画面/);
    expect(buttons(first)).toEqual(['English', '取消', '拍照']);
    // Rendered before the camera starts: nothing to take yet.
    expect(first).toMatch(/<button[^>]*disabled=""[^>]*>拍照/);
    const retry = render(
      base({
        screen: 'verifying',
        lang: 'en',
        verifying: { attempt: 2, maxAttempts: 3, checking: false },
      }),
    );
    expect(retry).toContain(en['verifying.retry.instruction'].replaceAll('"', '&quot;'));
    expect(retry).toContain('Try 2 of 3');
    const checking = render(
      base({ screen: 'verifying', verifying: { attempt: 2, maxAttempts: 3, checking: true } }),
    );
    expect(checking).toContain(zhCN['verifying.checking.title']);
    expect(checking).not.toContain('<video');
    expect(buttons(checking)).toEqual(['English']);
  });

  it('payment: the amount and cancel; "try again" after a declined code; nothing to press while money moves', () => {
    const pay = (
      phase: 'awaitingCode' | 'charging' | 'declined' | 'settling',
      lang: 'zh-CN' | 'en' = 'zh-CN',
    ) => render(base({ screen: 'payment', lang, payment: { phase, amountFen: 2000 } }));
    expect(pay('awaitingCode')).toContain('¥20.00');
    expect(pay('awaitingCode')).toContain(zhCN['payment.instruction']);
    expect(buttons(pay('awaitingCode'))).toEqual(['English', '取消']);
    expect(buttons(pay('declined'))).toEqual(['English', '取消', '再试一次']);
    expect(buttons(pay('declined', 'en'))).toEqual(['中文', 'Cancel', 'Try again']);
    for (const phase of ['charging', 'settling'] as const) {
      expect(buttons(pay(phase)), phase).toEqual(['English']);
      expect(pay(phase)).toContain(zhCN[`payment.${phase}.instruction`]);
    }
  });

  it('outOfService', () => {
    expect(render(base({ screen: 'outOfService' }))).toContain('暂停服务');
    expect(render(base({ screen: 'outOfService', lang: 'en' }))).toContain('Out of service');
  });

  it('idle prompt appears at warnAt with a countdown to deadlineAt', () => {
    const idle = { warnAt: 10_000, deadlineAt: 40_000 };
    const before = render(base({ screen: 'identify', idle }), 9_999);
    expect(before).not.toContain('role="dialog"');
    const after = render(base({ screen: 'identify', idle }), 10_500);
    expect(after).toContain('role="dialog"');
    expect(after).toContain('aria-modal="true"');
    expect(after).toContain('您还在吗？');
    expect(after).toContain('还剩 30 秒');
    expect(buttons(after)).toContain('继续');
    const late = render(base({ screen: 'identify', lang: 'en', idle }), 45_000);
    expect(late).toContain('Seconds left: 0');
    expect(buttons(late)).toContain('Continue');
  });

  it('collect counts down to the card being kept inside, only in the last part of the wait', () => {
    const collect = { warnAt: 100_000, retainAt: 120_000 };
    expect(render(base({ screen: 'collect', collect }), 99_000)).not.toContain('收回机器里保管');
    const due = render(base({ screen: 'collect', collect }), 105_200);
    expect(due).toContain('新卡会收回机器里保管。还剩 15 秒');
    expect(due).not.toContain('role="dialog"');
    expect(render(base({ screen: 'collect', lang: 'en', collect }), 119_100)).toContain('keep it safe. Seconds left: 1');
  });

  it('simulator panel only with simulation, bilingual, disabled appropriately', () => {
    expect(render(base())).not.toContain('模拟设备');
    const html = render(
      base({ lang: 'en', simulation: { idCardOnReader: false, cardAtExit: false } }),
    );
    expect(html).toContain('模拟设备 / Simulated devices');
    const sim = [...html.matchAll(/<button\b([^>]*)>([^<]*)<\/button>/g)]
      .filter((m) => (m[2] ?? '').includes(' / '))
      .map((m) => [m[2], (m[1] ?? '').includes('disabled')]);
    expect(sim).toEqual([
      ['放置模拟身份证 / Place simulated ID card', false],
      ['拿走身份证 / Remove ID card', true],
      ['取走新卡 / Take the new card', true],
      ['出示付款码 / Show a payment code', false],
      ['出示余额不足的付款码 / Show a code with no funds', false],
      ['更多模拟 / More simulation', false],
    ]);
    const later = render(base({ simulation: { idCardOnReader: true, cardAtExit: true } }));
    expect(later).toMatch(/<button[^>]*disabled=""[^>]*>放置模拟身份证/);
    expect(later).toMatch(/<button(?![^>]*disabled)[^>]*>取走新卡/);
  });

  it('voice: a "hear it again" button beside the language, "stop" while speaking, none without voice', () => {
    const view = base({ screen: 'identify' });
    const quiet = render(view, 0, fakeVoice(false));
    expect(buttons(quiet)).toEqual(['再听一遍', 'English', '取消']);
    expect(quiet).toContain('<audio src="voice/zh-CN/identify.ogg" data-voice="identify">');
    expect(buttons(render(view, 0, fakeVoice(true)))).toEqual(['停止朗读', 'English', '取消']);
    expect(buttons(render({ ...view, lang: 'en' }, 0, fakeVoice(false)))).toEqual([
      'Hear it again',
      '中文',
      'Cancel',
    ]);
    // Muted by staff (or no clips built): the App passes no voice; no button, no audio.
    const muted = render(view, 0, null);
    expect(buttons(muted)).toEqual(['English', '取消']);
    expect(muted).not.toContain('<audio');
  });

  it('voice: the idle prompt can be heard again too', () => {
    const idle = { warnAt: 0, deadlineAt: 30_000 };
    const html = render(base({ screen: 'confirm', idle }), 1_000, fakeVoice(false));
    const dialog = html.slice(html.indexOf('role="dialog"'));
    expect(buttons(dialog)).toEqual(['继续', '再听一遍']);
  });

  it('attract after a session shows nothing of the previous resident', () => {
    const html = render(base({ screen: 'attract' }));
    expect(html).not.toContain(NAME);
    expect(html).not.toContain(MASKED);
  });
});

describe('staff and technician screens', () => {
  const mode = (over: Partial<NonNullable<ViewModel['mode']>> = {}): NonNullable<ViewModel['mode']> => ({
    role: 'staff',
    staffId: 'S0042',
    busy: false,
    pin: null,
    refusal: null,
    result: null,
    stock: null,
    load: null,
    todo: null,
    count: null,
    ribbonStep: null,
    devices: null,
    tests: null,
    apdu: null,
    ...over,
  });

  it('PIN: who, the tries the card has left, a keypad whose OK waits for four digits, and exit', () => {
    const html = render(base({ screen: 'modePin', mode: mode({ pin: { triesLeft: 2, wrong: true } }) }));
    expect(html).toContain('员工 S0042');
    expect(html).toContain(zhCN['modePin.wrong'].replace('{n}', '2'));
    expect(buttons(html)).toEqual(['English', '1', '2', '3', '4', '5', '6', '7', '8', '9', '删除', '0', '确定', '退出']);
    expect(html).toMatch(/<button[^>]*disabled=""[^>]*>确定/);
    expect(html).toContain('已输入 0 位');
  });

  it('refused: the reason and what to do, in both languages', () => {
    for (const refusal of ['forged', 'revoked', 'blocked', 'expired'] as const) {
      const html = render(base({ screen: 'modeRefused', mode: mode({ role: null, staffId: null, refusal }) }));
      expect(html).toContain(zhCN[`modeRefused.${refusal}.title`]);
      expect(buttons(html)).toEqual(['English', '返回']);
      expect(render(base({ screen: 'modeRefused', lang: 'en', mode: mode({ refusal }) }))).toContain(en[`modeRefused.${refusal}.advice`].replaceAll("'", '&#x27;'));
    }
  });

  it('staff home: the stock, an out-of-service warning, the last result, and what a clerk can do', () => {
    const stock = {
      inHopper: 84,
      capacity: 100,
      binExpected: 3,
      binSince: null,
      rejectedSince: 2,
      retainedSince: 1,
      lastBinDifference: null,
      discrepancies: 1,
      outOfService: true,
      ribbonFaces: 212,
      ribbonSince: null,
      paper: 'nearEnd' as const,
      paperSince: null,
    };
    const html = render(
      base({
        screen: 'staffHome',
        mode: mode({ stock, todo: { count: 3, items: [] }, result: { ok: false, code: 'overCapacity', params: { inHopper: 84, count: 50, capacity: 100 } } }),
      }),
    );
    expect(html).toContain('84 张（最多 100 张）');
    expect(html).toContain(zhCN['staffHome.discrepancies'].replace('{n}', '1'));
    expect(html).toContain('待处理 3 项');
    expect(html).toContain('装不下：送卡器里已有 84 张，再装 50 张会超过 100 张。');
    expect(buttons(html)).toEqual(['English', '待处理事项', '装入空白卡', '清空回收箱', '数送卡器里的空白卡', '更换耗材', '打印日报', '保存日报（PDF）', '退出']);
    // Nothing to handle: no count line.
    expect(render(base({ screen: 'staffHome', mode: mode({ stock, todo: { count: 0, items: [] } }) }))).not.toContain('待处理 0 项');
  });

  it('things to handle: each discrepancy and notice in a plain sentence, with when, its numbers and its button', () => {
    const at = '2026-01-05T01:12:00Z';
    const todo = {
      count: 6,
      items: [
        { type: 'discrepancy' as const, seq: 17, at, reason: 'hopperEmptySignal' },
        { type: 'discrepancy' as const, seq: 18, at, reason: 'somethingNew' },
        { type: 'notice' as const, id: 4, at, kind: 'cardRetained', applicationNo: 'A2026010500042', transactionNo: 'K-0001-3F2A', orderNo: null },
        { type: 'notice' as const, id: 5, at, kind: 'refundPending', applicationNo: null, transactionNo: null, orderNo: 'P123' },
      ],
    };
    const html = render(base({ screen: 'staffTodo', mode: mode({ todo }) }));
    expect(html).toContain(zhCN['discrepancy.hopperEmptySignal']);
    // A reason the catalogue does not know yet: the general sentence, never the raw code.
    expect(html).toContain(zhCN['discrepancy.other']);
    expect(html).not.toContain('somethingNew');
    expect(html).toContain(zhCN['notice.cardRetained']);
    expect(html).toContain('业务流水号 K-0001-3F2A · 申请号 A2026010500042');
    expect(html).toContain('订单号 P123');
    expect(html).toContain(`dateTime="${at}"`);
    expect(html).toContain('还有 2 项');
    expect(buttons(html)).toEqual(['English', '已处理', '已处理', '已处理', '已处理', '返回']);
    const english = render(base({ screen: 'staffTodo', lang: 'en', mode: mode({ todo }) }));
    expect(buttons(english)).toEqual(['中文', 'Resolved', 'Resolved', 'Done', 'Done', 'Back']);
    // Busy with one: every button waits, the way back too.
    const busy = render(base({ screen: 'staffTodo', mode: mode({ todo, busy: true }) }));
    expect([...busy.matchAll(/<button[^>]*disabled=""/g)]).toHaveLength(5);
    // Nothing left: says so.
    const empty = render(base({ screen: 'staffTodo', mode: mode({ todo: { count: 0, items: [] }, result: { ok: true, code: 'backInService', params: {} } }) }));
    expect(empty).toContain(zhCN['staffTodo.empty']);
    expect(empty).toContain(zhCN['result.backInService']);
    expect(buttons(empty)).toEqual(['English', '返回']);
  });

  it('counting the hopper: what the records expect and a keypad; a count that differs asks why, with preset reasons', () => {
    const stock = { inHopper: 84, capacity: 100, binExpected: 0, binSince: null, rejectedSince: 0, retainedSince: 0, lastBinDifference: null, discrepancies: 0, outOfService: false, ribbonFaces: 0, ribbonSince: null, paper: 'ok' as const, paperSince: null };
    const plain = render(base({ screen: 'staffCount', mode: mode({ stock }) }));
    expect(plain).toContain('账上送卡器里有 84 张空白卡。');
    expect(plain).toContain('id="hopper-counted"');
    expect(buttons(plain)).toContain('记录');
    expect(plain).not.toContain(zhCN['countReason.cardsLost']);

    const count = { counted: 82, ledger: 84, discrepancy: 23 };
    const why = render(base({ screen: 'staffCount', mode: mode({ stock, count }) }));
    expect(why).toContain('数到 82 张，账上是 84 张。');
    expect(why).toContain(zhCN['staffCount.why.instruction']);
    expect(why).not.toContain('id="hopper-counted"');
    expect(buttons(why)).toEqual(['English', '装卡时数错了', '有卡掉出来或被拿走', '原因不明，交给上级', '取消']);
    const english = render(base({ screen: 'staffCount', lang: 'en', mode: mode({ stock, count }) }));
    expect(english).toContain('You counted 82; the records say 84.');
    expect(buttons(english)).toEqual(['中文', 'Miscounted when loading', 'Cards fell out or were taken', 'Not known: passed to a supervisor', 'Cancel']);
    // Busy writing the correction: nothing to press twice.
    const busy = render(base({ screen: 'staffCount', mode: mode({ stock, count, busy: true }) }));
    expect([...busy.matchAll(/<button[^>]*disabled=""/g)]).toHaveLength(4);
  });

  it("technician tests: one button per test, each result's sentence, nothing to press while one runs", () => {
    const html = render(
      base({
        screen: 'technicianTests',
        lang: 'en',
        mode: mode({
          role: 'technician',
          busy: true,
          tests: [
            { id: 'cardPrinter', state: 'fail', code: 'fault', params: { fault: 'coverOpen' }, at: null },
            { id: 'scanner', state: 'running', code: null, params: {}, at: null },
          ],
        }),
      }),
    );
    expect(html).toContain('Printer fault: coverOpen. Do what the printer shows, then test again.');
    expect(html).toContain(en['selfTest.scanner.running']);
    expect(buttons(html)).toEqual(['中文', en['selfTest.cardPrinter.name'], en['selfTest.scanner.name'], 'Back']);
    expect([...html.matchAll(/<button[^>]*disabled=""/g)]).toHaveLength(3);
  });

  it('every mode screen renders without its mode data (a reload between views)', () => {
    for (const screen of ['modeCheck', 'modePin', 'modeRefused', 'staffHome', 'staffLoad', 'staffRejectBin', 'staffCount', 'staffConsumables', 'staffTodo', 'technicianHome', 'technicianTests', 'technicianApdu'] as const) {
      const html = render(base({ screen, mode: null }));
      expect(html.match(/<h1\b/g), screen).toHaveLength(1);
    }
  });
});


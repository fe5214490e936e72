/**
 * Staff clearing a staff notice: the notice leaves the open list and the audit log says who
 * cleared which, in one transaction; a notice not open is not cleared (nor audited) twice.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { staffNoticeDesk } from '../../kiosk/store/staff-notices-desk.ts';
import type { KioskStore } from '../../kiosk/store/store.ts';
import { openStore } from './store-fixture.ts';

let opened: KioskStore[] = [];
afterEach(() => {
  for (const store of opened) store.close();
  opened = [];
});

function withNotice() {
  const { store } = openStore();
  opened.push(store);
  const { id } = store.write(() =>
    store.notices.add({ sessionId: null, kind: 'cardRetained', message: 'test: a card retained', detail: { transactionNo: 'T1' } }),
  );
  return { store, id };
}

describe('clearing a staff notice', () => {
  it('clears it and audits who cleared which, once', () => {
    const { store, id } = withNotice();
    expect(staffNoticeDesk(store).clear(id, 'staff:S1')).toEqual({ kind: 'cardRetained' });
    expect(store.notices.open()).toEqual([]);
    expect(store.audit.entries().at(-1)).toMatchObject({ actor: 'staff:S1', action: 'notice.clear', detail: { notice: id, kind: 'cardRetained' } });
    const audited = store.audit.entries().length;
    // Already cleared, or no such notice: nothing written.
    expect(staffNoticeDesk(store).clear(id, 'staff:S2')).toBeNull();
    expect(staffNoticeDesk(store).clear(id + 100, 'staff:S2')).toBeNull();
    expect(store.audit.entries()).toHaveLength(audited);
    expect(store.verifyAudit().ok).toBe(true);
  });

  it('writes neither when the audit entry cannot be written (one transaction)', () => {
    const { store, id } = withNotice();
    const append = store.audit.append.bind(store.audit);
    store.audit.append = () => {
      throw new Error('test: the audit log refuses');
    };
    try {
      expect(() => staffNoticeDesk(store).clear(id, 'staff:S1')).toThrow(/refuses/);
    } finally {
      store.audit.append = append;
    }
    expect(store.notices.open().map((n) => n.id)).toEqual([id]);
  });
});

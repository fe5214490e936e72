/**
 * Staff notices (staff-notices.ts) written and cleared with their audit entries: a notice is
 * audited when it is written (by a session or by recovery) and when staff clear it, each in one
 * transaction — the list of open notices cannot be shortened, or lengthened, without a trace.
 */
import type { Detail } from './journal.ts';
import type { StaffNoticeKind } from './staff-notices.ts';
import type { StaffActor } from './staff-stock.ts';
import type { KioskStore } from './store.ts';

export const NOTICE_CLEARED = 'notice.clear';

/**
 * Writes a notice for staff and, when it is new (the same open notice is never written twice),
 * its audit entry `notice.<kind>` by `actor`. Inside the caller's transaction when there is one.
 */
export function raiseNotice(
  store: KioskStore,
  actor: string,
  notice: { sessionId: string | null; kind: StaffNoticeKind; message: string; detail?: Detail },
): boolean {
  return store.write(() => {
    const { added } = store.notices.add(notice);
    if (added)
      store.audit.append({
        actor,
        action: `notice.${notice.kind}`,
        detail: { session: notice.sessionId, message: notice.message, ...notice.detail },
      });
    return added;
  });
}

export function staffNoticeDesk(store: KioskStore) {
  return {
    /** Clears an open notice; null (and nothing written) when it is not open (cleared already, or no such notice). */
    clear(id: number, actor: StaffActor): { kind: StaffNoticeKind } | null {
      return store.write(() => {
        const notice = store.notices.open().find((n) => n.id === id);
        if (!notice || !store.notices.clear(id, actor)) return null;
        store.audit.append({ actor, action: NOTICE_CLEARED, detail: { notice: id, kind: notice.kind } });
        return { kind: notice.kind };
      });
    },
  };
}

/**
 * Staff dealing with a staff notice (staff-notices.ts): the notice is cleared and the audit log
 * says who cleared which, in one transaction — a notice was audited when it was written, so its
 * clearing is too, and the list of open notices cannot be shortened without a trace.
 */
import type { StaffNoticeKind } from './staff-notices.ts';
import type { StaffActor } from './staff-stock.ts';
import type { KioskStore } from './store.ts';

export const NOTICE_CLEARED = 'notice.clear';

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

/**
 * A real host on simulated devices for the staff and technician modes: its staff cards come from
 * the simulator panel's actions, its screens are waited for as a person at the kiosk sees them.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type {
  ScreenId,
  SimAction,
  SimStaffCardKind,
  UserEvent,
  ViewModel,
} from '../../kiosk/bridge/protocol.ts';
import type { KioskConfig } from '../../kiosk/config/schema.ts';
import { SIM_STAFF_CARDS } from '../../kiosk/modes/staff-card-device.ts';
import { openRecordsReadOnly } from '../../kiosk/store/store.ts';
import { startTestHost } from '../support/host-harness.ts';

export async function startModesHost(
  options: { configure?: (config: KioskConfig) => void; moveMs?: number } = {},
) {
  const kiosk = await startTestHost({
    configure: (config) => {
      config.staff.hopperCapacity = 300;
      options.configure?.(config);
    },
    simulation: { moveMs: options.moveMs ?? 0 },
  });
  await kiosk.host.whenRecovered();
  const { host } = kiosk;
  const event = (e: UserEvent) => host.send({ type: 'event', event: e });
  const sim = (s: SimAction) => host.send({ type: 'sim', sim: s });
  const until = async (
    what: string,
    test: (view: ViewModel) => boolean,
    timeoutMs = 15_000,
  ): Promise<ViewModel> => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const view = host.view();
      if (test(view)) return view;
      if (Date.now() > end)
        throw new Error(
          `waited for ${what}; the view is ${JSON.stringify({ screen: view.screen, mode: view.mode })}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  const screen = (id: ScreenId, timeoutMs?: number) =>
    until(`screen ${id}`, (v) => v.screen === id, timeoutMs);
  /** Inserts a simulated card and types its PIN (or `pin`); resolves on the screen that follows. */
  const logIn = async (kind: SimStaffCardKind, pin = SIM_STAFF_CARDS[kind].pin) => {
    sim({ action: 'placeStaffCard', kind });
    await screen('modePin');
    event({ type: 'MODE_PIN', pin });
    return until('the PIN checked', (v) => v.screen !== 'modePin' && v.screen !== 'modeCheck');
  };
  /** An operation's answer on screen (the host is not busy with it any more). */
  const settled = () =>
    until('the operation to finish', (v) => v.mode?.busy === false && v.mode.result !== null);
  const records = () => openRecordsReadOnly(kiosk.dataDir);
  const audit = () => {
    const r = records();
    try {
      return r.audit.entries();
    } finally {
      r.close();
    }
  };
  const log = () => {
    try {
      return readFileSync(path.join(kiosk.dataDir, 'logs', 'kiosk.log'), 'utf8');
    } catch {
      return '';
    }
  };
  return { ...kiosk, event, sim, until, screen, logIn, settled, records, audit, log };
}

export type ModesHost = Awaited<ReturnType<typeof startModesHost>>;

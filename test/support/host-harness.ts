/**
 * Runs a real host in the test process on simulated devices with instant mechanics, and waits
 * for screens as a resident would see them.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ScreenId, ViewModel } from '../../kiosk/bridge/protocol.ts';
import { parseConfigText } from '../../kiosk/config/load.ts';
import type { KioskConfig } from '../../kiosk/config/schema.ts';
import { Host, type HostOptions } from '../../kiosk/host/host.ts';
import { createLogger } from '../../kiosk/log/logger.ts';

/**
 * A stand-in for the camera's JPEG: a JPEG signature and enough bytes for the embedded centre's
 * face check to consider it a photo (it matches by the seeded resident, not by pixels).
 */
export const TEST_FACE_PHOTO = `data:image/jpeg;base64,${Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(4096, 0x55)]).toString('base64')}`;

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

export function defaultConfig(): KioskConfig {
  return parseConfigText(readFileSync(path.join(REPO_ROOT, 'kiosk.config.json'), 'utf8'), 'kiosk.config.json');
}

export async function startTestHost(
  options: Partial<HostOptions> & { configure?: (config: KioskConfig) => void } = {},
) {
  const config = options.config ?? defaultConfig();
  options.configure?.(config);
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'mashang-test-'));
  const host = new Host({
    dataDir,
    secrets: { journalKey: randomBytes(32).toString('hex') },
    logger: createLogger({ dataDir, stderr: false }),
    port: 0,
    simulation: { moveMs: 0 },
    ...options,
    config,
  });
  await host.start();

  const waitForScreen = async (screen: ScreenId, timeoutMs = 10_000): Promise<ViewModel> => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const view = host.view();
      if (view.screen === screen) return view;
      if (Date.now() > until) throw new Error(`expected screen "${screen}", still on "${view.screen}"`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  const event = (type: 'START' | 'CONFIRM' | 'CANCEL' | 'STILL_HERE' | 'RETRY') => host.send({ type: 'event', event: { type } });
  /** The resident looks into the camera: the UI sends the live photo for the face check. */
  const showFace = async () => {
    await waitForScreen('verifying');
    host.send({ type: 'event', event: { type: 'PHOTO', photo: TEST_FACE_PHOTO } });
  };
  return { host, config, dataDir, waitForScreen, event, showFace, stop: () => host.stop() };
}

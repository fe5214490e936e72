/**
 * What fleet monitoring reads from a kiosk: /healthz and /metrics on the loopback server.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestHost } from '../support/host-harness.ts';

let harness: Awaited<ReturnType<typeof startTestHost>> | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

describe('health and metrics', () => {
  it('is ready with every device ready, and down (503) when the card printer faults', async () => {
    harness = await startTestHost();
    const ready = await fetch(`${harness.host.origin}/healthz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ready',
      devices: { 'id-reader': 'ready', 'card-printer': 'ready', 'chip-encoder': 'ready', 'receipt-printer': 'ready' },
    });
    harness.host.devices.simulation!.cardPrinter.injectFault('coverOpen');
    const down = await fetch(`${harness.host.origin}/healthz`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ status: 'down', devices: { 'card-printer': 'fault' } });
  });

  it('is degraded, not down, when only the receipt printer is out of paper', async () => {
    harness = await startTestHost();
    harness.host.devices.simulation!.receiptPrinter.fault = 'paperOut';
    const response = await fetch(`${harness.host.origin}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'degraded' });
  });

  it('counts sessions started, completed and failed in Prometheus text format', async () => {
    harness = await startTestHost();
    const { host, event, waitForScreen } = harness;
    event('START');
    host.send({ type: 'sim', sim: { action: 'placeIdCard' } });
    await harness!.showFace();
    await waitForScreen('confirm');
    event('CONFIRM');
    await waitForScreen('collect');
    host.send({ type: 'sim', sim: { action: 'takeCard' } });
    await waitForScreen('receipt');
    host.devices.simulation!.cardPrinter.injectFault('coverOpen');
    await waitForScreen('takeIdCard', 15_000);
    host.send({ type: 'sim', sim: { action: 'removeIdCard' } });
    await waitForScreen('attract');
    event('START');
    host.send({ type: 'sim', sim: { action: 'placeIdCard' } });
    await harness!.showFace();
    await waitForScreen('failed');

    const response = await fetch(`${host.origin}/metrics`);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toMatch(/^mashang_sessions_started_total 2$/m);
    expect(text).toMatch(/^mashang_sessions_completed_total 1$/m);
    expect(text).toMatch(/^mashang_sessions_failed_total\{reason="deviceNotReady"\} 1$/m);
    expect(text).toMatch(/^mashang_device_status\{device="card-printer",state="fault"\} 1$/m);
  });

  it('serves the built UI with a strict content security policy and refuses paths outside it', async () => {
    harness = await startTestHost({ uiDir: new URL('../../dist/ui', import.meta.url).pathname });
    const index = await fetch(`${harness.host.origin}/`);
    // npm test builds the UI first (scripts/setup.mjs).
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(index.headers.get('content-security-policy')).toContain("connect-src 'self' ws://127.0.0.1:");
    const escape = await fetch(`${harness.host.origin}/..%2f..%2fpackage.json`);
    expect(escape.status).toBe(404);
    const post = await fetch(`${harness.host.origin}/healthz`, { method: 'POST' });
    expect(post.status).toBe(405);
  });
});

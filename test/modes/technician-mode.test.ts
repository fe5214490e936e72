/**
 * A technician at the kiosk and over SSH, on the real host with simulated devices: live device
 * status, every self-test with its verdict, the readiness report, the APDU console — and the same
 * through `mashang diag | apdu | stock`, which go through the running host (one owner per device)
 * and land in its audit log.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { selfTestIds, type SelfTestId } from '../../kiosk/bridge/protocol.ts';
import { ADMIN_FILE } from '../../kiosk/admin/admin-server.ts';
import { catalogues } from '../../kiosk/ui/i18n/messages.ts';
import { REPO_ROOT } from '../support/host-harness.ts';
import { startModesHost, type ModesHost } from './modes-harness.ts';
import { SIMULATED_BLANKS } from '../../kiosk/host/devices.ts';

const runFile = promisify(execFile);
const hosts: ModesHost[] = [];
afterEach(async () => {
  for (const kiosk of hosts.splice(0)) await kiosk.stop();
});

async function technician() {
  const k = await startModesHost();
  hosts.push(k);
  expect((await k.logIn('technician')).screen).toBe('technicianHome');
  return k;
}

/** What a person at the kiosk does for the tests that need one. */
function helpWith(k: ModesHost, test: SelfTestId) {
  if (test === 'idReader') setTimeout(() => k.sim({ action: 'placeIdCard' }), 50);
  if (test === 'scanner') setTimeout(() => k.sim({ action: 'scanPaymentCode', code: 'paid' }), 50);
}

async function runTest(k: ModesHost, test: SelfTestId) {
  k.event({ type: 'SELF_TEST', test });
  helpWith(k, test);
  const view = await k.until(
    `self-test ${test}`,
    (v) => {
      const t = v.mode?.tests?.find((x) => x.id === test);
      return v.mode?.busy === false && (t?.state === 'pass' || t?.state === 'fail');
    },
    60_000,
  );
  return view.mode!.tests!.find((x) => x.id === test)!;
}

async function mashang(args: string[], cwd?: string) {
  try {
    const { stdout, stderr } = await runFile(
      process.execPath,
      [path.join(REPO_ROOT, 'kiosk/cli/mashang.mjs'), ...args],
      { timeout: 120_000, cwd },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('a technician with a technician card', () => {
  it('sees every device live, with its identity, and a new fault as it happens', async () => {
    const k = await technician();
    const home = k.host.view();
    expect(home.mode!.devices!.map((d) => d.kind)).toEqual([
      'id-reader',
      'card-printer',
      'chip-encoder',
      'receipt-printer',
      'qr-scanner',
      'staff-card-reader',
    ]);
    expect(home.mode!.devices!.every((d) => d.state === 'ready')).toBe(true);
    expect(home.mode!.devices!.find((d) => d.kind === 'card-printer')!.identity).toMatchObject({
      serial: 'SIM0000001',
      firmware: '1.0.0-sim',
    });
    k.sim({ action: 'deviceFault', device: 'card-printer', fault: 'coverOpen' });
    const faulty = await k.until(
      'the cover fault on screen',
      (v) => v.mode?.devices?.find((d) => d.kind === 'card-printer')?.state === 'fault',
    );
    const printer = faulty.mode!.devices!.find((d) => d.kind === 'card-printer')!;
    expect(printer.detail).toBe('coverOpen');
    expect(printer.errors[0]!.what).toBe('fault:coverOpen');
  });

  it('runs every self-test on the simulated devices, each passing, and prints and saves the readiness report', async () => {
    const k = await technician();
    k.event({ type: 'MODE_GO', to: 'tests' });
    await k.screen('technicianTests');
    const rejectedBefore = k.host.devices.cardPrinter.counters().cardsRejected;
    for (const test of selfTestIds) {
      const result = await runTest(k, test);
      expect(result, test).toMatchObject({ state: 'pass' });
      // Every result has its sentence in both languages.
      for (const lang of ['zh-CN', 'en'] as const)
        expect(catalogues[lang]).toHaveProperty([`selfTest.${test}.${result.code}`]);
    }
    // The test card went into the reject bin, accounted for: fed, then rejected, under its own session.
    expect(k.host.devices.cardPrinter.counters().cardsRejected).toBe(rejectedBefore + 1);
    const r = k.records();
    try {
      const balance = r.ledger.balance();
      expect(balance.balanced).toBe(true);
      expect(balance.unresolved).toEqual([]);
      expect(r.ledger.entries().filter((e) => e.reason === 'technicianTestCard')).toHaveLength(1);
    } finally {
      r.close();
    }
    expect(k.host.records.serviceBlock()).toBeNull();

    k.event({ type: 'MODE_GO', to: 'home' });
    await k.screen('technicianHome');
    const printed = k.host.devices.simulation!.receiptPrinter.jobsPrinted;
    k.event({ type: 'REPORT', report: 'readiness', output: 'print' });
    expect((await k.settled()).mode!.result).toMatchObject({ ok: true, code: 'reportPrinted' });
    expect(k.host.devices.simulation!.receiptPrinter.jobsPrinted).toBe(printed + 1);
    k.event({ type: 'REPORT', report: 'readiness', output: 'pdf' });
    const saved = await k.until('saved', (v) => v.mode?.result?.code === 'reportSaved');
    expect(readFileSync(String(saved.mode!.result!.params.file)).subarray(0, 5).toString()).toBe(
      '%PDF-',
    );
    k.event({ type: 'EXPORT_EVENTS' });
    const exported = await k.until('exported', (v) => v.mode?.result?.code === 'eventsExported');
    const events = readFileSync(String(exported.mode!.result!.params.file), 'utf8');
    expect(events).toContain('"action":"selftest.run"');
    expect(
      k
        .audit()
        .filter((a) => a.action === 'selftest.run')
        .map((a) => [a.actor, a.detail.test, a.detail.pass]),
    ).toEqual(selfTestIds.map((id) => ['technician:T0001', id, true]));
  });

  it('fails a self-test with what to do: an open cover, a printer that needs cleaning, no card on the reader', async () => {
    const k = await technician();
    k.event({ type: 'MODE_GO', to: 'tests' });
    await k.screen('technicianTests');
    k.sim({ action: 'deviceFault', device: 'card-printer', fault: 'cleaningDue' });
    expect(await runTest(k, 'cleaning')).toMatchObject({ state: 'fail', code: 'due' });
    k.sim({ action: 'clearFaults' });
    expect(await runTest(k, 'cleaning')).toMatchObject({ state: 'pass', code: 'clean' });
    k.sim({ action: 'deviceFault', device: 'card-printer', fault: 'coverOpen' });
    expect(await runTest(k, 'cardPrinter')).toMatchObject({
      state: 'fail',
      code: 'fault',
      params: { fault: 'coverOpen' },
    });
    expect(await runTest(k, 'testCard')).toMatchObject({
      state: 'fail',
      code: 'fault',
      params: { fault: 'coverOpen' },
    });
    k.sim({ action: 'deviceFault', device: 'receipt-printer', fault: 'paperOut' });
    expect(await runTest(k, 'receiptPrinter')).toMatchObject({
      state: 'fail',
      code: 'fault',
      params: { fault: 'paperOut' },
    });
  });

  it('sends APDUs to the card in a reader, and masks a PIN in what it shows and records', async () => {
    const k = await technician();
    k.event({ type: 'MODE_GO', to: 'apdu' });
    const console_ = await k.screen('technicianApdu');
    const reader = console_.mode!.apdu!.readers.find((r) => r.role === 'staff-card-reader')!;
    expect(reader.card).toBe(true);
    // SELECT the staff application, then VERIFY with the PIN: the card answers; the PIN is masked.
    k.event({
      type: 'APDU',
      reader: reader.name,
      command: '00A4040009F04D415348414E4701;0020008106323436383130',
    });
    const done = await k.until(
      'the exchange',
      (v) => (v.mode?.apdu?.exchanges.length ?? 0) === 1 && !v.mode?.busy,
    );
    const exchange = done.mode!.apdu!.exchanges[0]!;
    expect(exchange).toMatchObject({ ok: true, response: '9000; 9000' });
    expect(exchange.command).toBe('00A4040009F04D415348414E4701; 0020008106************');
    const sent = k.audit().find((a) => a.action === 'apdu.sent')!;
    expect(sent.detail).toMatchObject({ result: '9000 9000' });
    expect(JSON.stringify(sent)).not.toContain('323436383130');
    // The console's session reset the card: the mode is still open, the card not left verified.
    expect(k.host.view().screen).toBe('technicianApdu');
  });
});

describe('the technician over SSH: mashang diag, apdu and stock', () => {
  it('go through the running host: every device passes, a fault set from its simulator names the device, and the audit log has it', async () => {
    const k = await startModesHost();
    hosts.push(k);
    const file = path.join(k.dataDir, 'kiosk.config.json');
    writeFileSync(file, JSON.stringify({ ...k.config, dataDir: k.dataDir }));
    // Only the kiosk user may read the endpoint's token.
    expect(statSync(path.join(k.dataDir, ADMIN_FILE)).mode & 0o077).toBe(0);

    const ok = await mashang(['diag', '--config', file, '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    const report = JSON.parse(ok.stdout);
    expect(report.via).toBe('host');
    expect(report.devices.map((d: { kind: string; pass: boolean }) => [d.kind, d.pass])).toEqual(
      [
        'id-reader',
        'card-printer',
        'chip-encoder',
        'receipt-printer',
        'qr-scanner',
        'staff-card-reader',
      ].map((kind) => [kind, true]),
    );
    expect(report.cardCentre.reachable).toBe(true);

    k.sim({ action: 'deviceFault', device: 'card-printer', fault: 'coverOpen' });
    const bad = await mashang(['diag', '--config', file, '--json']);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout).failing).toEqual(['card-printer']);
    expect((await mashang(['diag', '--config', file])).stdout).toContain(
      'FAILING: card-printer (fault:coverOpen)',
    );

    k.sim({ action: 'placeStaffCard', kind: 'technician' });
    await k.screen('modePin');
    const apdu = await mashang([
      'apdu',
      '--config',
      file,
      '00A4040009F04D415348414E4701',
      '00CA7F2100',
    ]);
    expect(apdu.code, apdu.stderr).toBe(0);
    expect(apdu.stdout).toMatch(/> 00A4040009F04D415348414E4701\n< 9000/);
    expect(apdu.stdout).toMatch(/> 00CA7F2100\n< 7F21[0-9A-F]+ 9000/);

    const stock = await mashang(['stock', '--config', file, '--json']);
    expect(stock.code, stock.stderr).toBe(0);
    expect(JSON.parse(stock.stdout).balance.inHopper).toBe(SIMULATED_BLANKS);

    const audit = k.audit();
    expect(audit.filter((a) => a.action === 'diag.run').map((a) => a.detail.failing)).toEqual([
      null,
      'card-printer:fault:coverOpen',
      'card-printer:fault:coverOpen',
    ]);
    expect(audit.find((a) => a.action === 'apdu.sent')?.actor).toMatch(/^cli:/);
  });

  it('open the devices themselves when no host runs: the embedded default passes; a simulated fault names the device and exits 1', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mashang-diag-'));
    const config = JSON.parse(readFileSync(path.join(REPO_ROOT, 'kiosk.config.json'), 'utf8'));
    config.dataDir = path.join(dir, 'data');
    delete config.$schema;
    const file = path.join(dir, 'kiosk.config.json');
    writeFileSync(file, JSON.stringify(config));

    const ok = await mashang(['diag', '--config', file, '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    const report = JSON.parse(ok.stdout);
    expect(report.via).toBe('direct');
    expect(report.devices).toHaveLength(6);
    expect(
      report.devices.every(
        (d: { pass: boolean; status: string }) => d.pass && d.status === 'ready',
      ),
    ).toBe(true);

    const bad = await mashang([
      'diag',
      '--config',
      file,
      '--json',
      '--sim-fault',
      'card-printer:coverOpen',
    ]);
    expect(bad.code).toBe(1);
    const failing = JSON.parse(bad.stdout);
    expect(failing.failing).toEqual(['card-printer']);
    expect(failing.devices.find((d: { kind: string }) => d.kind === 'card-printer')).toMatchObject({
      status: 'fault:coverOpen',
      pass: false,
    });
    // The lock was let go: a host could start now.
    expect(existsSync(path.join(config.dataDir, 'host.pid'))).toBe(false);

    const usage = await mashang(['diag', '--config', file, '--sim-fault', 'card-printer:onFire']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--sim-fault: one of');
  });
});

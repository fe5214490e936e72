/**
 * After a completed journey nothing of the resident — name, ID number — remains in the host's
 * heap (a real V8 heap snapshot of the running host process), its data directory, or its logs.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { idNumberCheckDigit } from '../../drivers/id-reader/id-card-record.ts';
import { TEST_FACE_PHOTO } from '../support/host-harness.ts';
import { connectBridge, spawnHost, type SpawnedHost } from '../support/spawned-host.ts';

/** A name no program text contains: three random CJK ideographs from the rarer part of the block. */
function unlikelyName(): string {
  const char = () => String.fromCodePoint(0x7000 + Math.floor(Math.random() * 0x1f00));
  return `${char()}${char()}${char()}`;
}

function unlikelyIdNumber(): string {
  const birth = `19${30 + Math.floor(Math.random() * 60)}0${1 + Math.floor(Math.random() * 9)}1${Math.floor(Math.random() * 9)}`;
  const first17 = `330106${birth}${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}`;
  return first17 + idNumberCheckDigit(first17);
}

/** Takes a heap snapshot of the process behind the inspector URL, after a full GC; returns its strings. */
async function heapStrings(inspectorUrl: string): Promise<string[]> {
  const socket = new WebSocket(inspectorUrl);
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  let id = 0;
  const chunks: string[] = [];
  const pending = new Map<number, (value: unknown) => void>();
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString());
    if (message.method === 'HeapProfiler.addHeapSnapshotChunk') chunks.push(message.params.chunk);
    else if (message.id !== undefined) pending.get(message.id)?.(message.result);
  });
  const call = (method: string, params: object = {}) =>
    new Promise((resolve) => {
      pending.set(++id, resolve);
      socket.send(JSON.stringify({ id, method, params }));
    });
  await call('HeapProfiler.enable');
  await call('HeapProfiler.collectGarbage');
  await call('HeapProfiler.collectGarbage');
  await call('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  socket.close();
  return (JSON.parse(chunks.join('')) as { strings: string[] }).strings;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const file = path.join(dir, entry);
    return statSync(file).isDirectory() ? filesUnder(file) : [file];
  });
}

let host: SpawnedHost | undefined;
afterAll(async () => host?.stop());

describe('after a resident has gone', () => {
  it('keeps nothing of them in the host heap, the data directory or the logs', async () => {
    host = await spawnHost({ inspect: true, configure: (c) => (c.timeouts.cardCollectSeconds = 60) });
    expect(host.inspectorUrl).not.toBeNull();
    const name = unlikelyName();
    const idNumber = unlikelyIdNumber();
    const bridge = await connectBridge(host);
    await bridge.waitForScreen('attract');
    bridge.send({ type: 'event', event: { type: 'START' } });
    await bridge.waitForScreen('identify');
    bridge.send({ type: 'sim', sim: { action: 'placeIdCard', person: { name, idNumber } } });
    await bridge.waitForScreen('verifying');
    bridge.send({ type: 'event', event: { type: 'PHOTO', photo: TEST_FACE_PHOTO } });
    const confirm = await bridge.waitForScreen('confirm');
    // The resident really passed through the host: the confirm screen showed them.
    expect(confirm.resident?.name).toBe(name);
    const before = await heapStrings(host.inspectorUrl!);
    expect(before.some((s) => s.includes(name))).toBe(true);
    expect(before.some((s) => s.includes(idNumber))).toBe(true);

    bridge.send({ type: 'event', event: { type: 'CONFIRM' } });
    await bridge.waitForScreen('collect');
    bridge.send({ type: 'sim', sim: { action: 'takeCard' } });
    await bridge.waitForScreen('receipt');
    bridge.send({ type: 'sim', sim: { action: 'removeIdCard' } });
    const attract = await bridge.waitForScreen('attract');
    expect(JSON.stringify(attract)).not.toContain(name);
    bridge.close();

    const after = await heapStrings(host.inspectorUrl!);
    expect(after.filter((s) => s.includes(name))).toEqual([]);
    expect(after.filter((s) => s.includes(idNumber))).toEqual([]);

    await host.stop();
    const files = filesUnder(host.dataDir);
    expect(files.some((f) => f.endsWith('kiosk.log'))).toBe(true);
    for (const file of files) {
      const bytes = readFileSync(file);
      expect(bytes.includes(Buffer.from(name)), file).toBe(false);
      expect(bytes.includes(Buffer.from(idNumber)), file).toBe(false);
    }
    // The log did record the session, masked.
    const log = readFileSync(files.find((f) => f.endsWith('kiosk.log'))!, 'utf8');
    expect(log).toContain(`${idNumber.slice(0, 4)}**********${idNumber.slice(-4)}`);
    expect(host.output()).not.toContain(idNumber);
  });
});

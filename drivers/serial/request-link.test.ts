/**
 * The generic request/response link, on the cases the GA/T 467 driver does not exercise: a
 * reply that ends by silence (PROTOCOLS.md §3, the card printer), a reply that ends by CR, and
 * exchanges that queue behind each other.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryLine } from './memory-line.ts';
import { ReconnectingLine } from './reconnecting-line.ts';
import { RequestLink, type FrameDecoder } from './request-link.ts';

/** Text replies ending with CR, or with silence when the CR never comes. */
class LineDecoder implements FrameDecoder<string> {
  #text = '';
  get bufferedBytes() {
    return this.#text.length;
  }
  push(chunk: Uint8Array) {
    this.#text += Buffer.from(chunk).toString('latin1');
    const at = this.#text.indexOf('\r');
    if (at < 0) return [];
    const frame = this.#text.slice(0, at);
    this.#text = this.#text.slice(at + 1);
    return [{ type: 'frame' as const, frame }];
  }
  reset() {
    this.#text = '';
  }
  endOfSilence() {
    return this.#text.length > 0 ? this.#text : null;
  }
}

let stop: (() => Promise<void>) | undefined;
afterEach(async () => stop?.());

async function printerLike(
  reply: (command: string) => { text: string; afterMs?: number } | null,
  quietMs = 20,
) {
  const memory = createMemoryLine('printer');
  memory.device.onData((chunk) => {
    const answer = reply(Buffer.from(chunk).toString('latin1'));
    if (answer)
      setTimeout(
        () => memory.device.write(Buffer.from(answer.text, 'latin1')),
        answer.afterMs ?? 0,
      );
  });
  const line = new ReconnectingLine(memory.open, { name: 'printer' });
  line.start();
  await line.whenOpen(1_000);
  stop = () => line.stop();
  return new RequestLink(line, new LineDecoder(), {
    interByteTimeoutMs: 50,
    quietMs,
    maxQuietWaitMs: 1_000,
  });
}

describe('a request/response link', () => {
  it('takes a reply that ends with CR, and one that ends by falling silent', async () => {
    const link = await printerLike((command) =>
      command.startsWith('\x1bRfv') ? { text: '1.2.3\r' } : { text: 'OK' },
    );
    expect(await link.request(Buffer.from('\x1bRfv\r'), { timeoutMs: 1_000 })).toEqual({
      ok: true,
      value: '1.2.3',
    });
    expect(await link.request(Buffer.from('\x1bSs\r'), { timeoutMs: 1_000 })).toEqual({
      ok: true,
      value: 'OK',
    });
  });

  it('times out on silence and reports how much arrived', async () => {
    const link = await printerLike(() => null);
    expect(await link.request(Buffer.from('\x1bRfv\r'), { timeoutMs: 100 })).toEqual({
      ok: false,
      error: { kind: 'timeout', receivedBytes: 0 },
    });
  });

  it('runs exchanges one at a time: the second request waits for the first answer', async () => {
    const seen: string[] = [];
    const link = await printerLike((command) => {
      seen.push(command);
      return { text: `${command.trim()}!\r`, afterMs: 30 };
    });
    const [a, b] = await Promise.all([
      link.request(Buffer.from('A\r'), { timeoutMs: 1_000 }),
      link.request(Buffer.from('B\r'), { timeoutMs: 1_000 }),
    ]);
    expect([a, b]).toEqual([
      { ok: true, value: 'A!' },
      { ok: true, value: 'B!' },
    ]);
    expect(seen).toEqual(['A\r', 'B\r']);
  });

  it('does not take a late answer to a timed-out request for the next one', async () => {
    const link = await printerLike(
      (command) => ({
        text: `${command.trim()}!\r`,
        afterMs: command.startsWith('slow') ? 100 : 80,
      }),
      150,
    );
    expect((await link.request(Buffer.from('slow\r'), { timeoutMs: 40 })).ok).toBe(false);
    // The late "slow!" arrives while the link waits for quiet; the next request gets its own answer.
    expect(await link.request(Buffer.from('fast\r'), { timeoutMs: 1_000 })).toEqual({
      ok: true,
      value: 'fast!',
    });
  });
});

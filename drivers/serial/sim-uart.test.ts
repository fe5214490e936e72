/** The simulated UART: line speed in both directions, and a bounded receive FIFO. */
import { describe, expect, it } from 'vitest';
import { createMemoryLine } from './memory-line.ts';
import { SimUart } from './sim-uart.ts';

function uartOnMemory(options: ConstructorParameters<typeof SimUart>[1]) {
  const line = createMemoryLine('uart');
  const received: number[] = [];
  const uart = new SimUart(line.device, options, (bytes) => received.push(...bytes));
  let paused = 0;
  const pause = line.device.pause;
  line.device.pause = () => {
    paused++;
    pause();
  };
  return { line, uart, received, paused: () => paused };
}

describe('a simulated UART', () => {
  it('loses what overflows its FIFO without flow control, and counts it', async () => {
    const { line, uart, received } = uartOnMemory({
      baudRate: 9_600,
      rxBufferBytes: 16,
      flowControl: 'none',
    });
    const host = await line.open();
    await host.write(new Uint8Array(100).fill(7));
    await new Promise((r) => setTimeout(r, 50)); // 9 600 baud: ~1 byte a millisecond
    expect(uart.overruns).toBe(84);
    await new Promise((r) => setTimeout(r, 100));
    expect(received).toHaveLength(16);
  });

  it('holds the host back with RTS/CTS instead, and loses nothing', async () => {
    const { line, uart, received, paused } = uartOnMemory({
      baudRate: 115_200,
      rxBufferBytes: 16,
      flowControl: 'rts-cts',
    });
    const host = await line.open();
    for (let i = 0; i < 10; i++) await host.write(new Uint8Array(10).fill(i));
    await new Promise((r) => setTimeout(r, 100));
    expect(paused()).toBeGreaterThan(0);
    expect(received).toHaveLength(100);
    expect(uart.overruns).toBe(0);
  });

  it('sends at line speed: 1 000 bytes at 9 600 baud take about a second, not an instant', async () => {
    const { line, uart } = uartOnMemory({
      baudRate: 9_600,
      rxBufferBytes: 16,
      flowControl: 'none',
    });
    const host = await line.open();
    let got = 0;
    host.onData((chunk) => (got += chunk.length));
    uart.send(new Uint8Array(1000));
    await new Promise((r) => setTimeout(r, 200));
    // Deliberately loose bounds: only that pacing happens, never how fast this machine is.
    expect(got).toBeGreaterThan(0);
    expect(got).toBeLessThan(1000);
  });
});

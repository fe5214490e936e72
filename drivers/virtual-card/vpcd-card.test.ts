/**
 * The vpcd wire protocol from our card's side, against a stand-in for vpcd that sends frames the
 * way TCP may deliver them (split anywhere, several at once). The real vpcd is in test/pcsc.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedSsseCard, SSSE_ATR } from '../chip-encoder/sim-ssse-card.ts';
import { hex } from '../pcsc/apdu.ts';
import { CardBehaviour } from './card-behaviour.ts';
import { VpcdCard, VPCD_CONTROL } from './vpcd-card.ts';

const frame = (payload: Uint8Array) =>
  Buffer.concat([Buffer.from([payload.length >> 8, payload.length & 0xff]), payload]);
const servers: net.Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** A listening stand-in for vpcd; resolves with the connected card's socket. */
async function fakeVpcd(): Promise<{ port: number; accepted: Promise<net.Socket> }> {
  let accept!: (socket: net.Socket) => void;
  const accepted = new Promise<net.Socket>((resolve) => (accept = resolve));
  const server = net.createServer((socket) => accept(socket));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as net.AddressInfo).port, accepted };
}

/** Reads `count` answer frames from the card. */
function answers(socket: net.Socket, count: number): Promise<string[]> {
  return new Promise((resolve) => {
    let buffer = Buffer.alloc(0);
    const out: string[] = [];
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 2 && buffer.length >= 2 + buffer.readUInt16BE(0)) {
        const length = buffer.readUInt16BE(0);
        out.push(hex(buffer.subarray(2, 2 + length)));
        buffer = buffer.subarray(2 + length);
        if (out.length === count) resolve(out);
      }
    });
  });
}

describe('a virtual card on the vpcd wire', () => {
  it('answers the ATR request and APDUs, however the frames are cut', async () => {
    const { port, accepted } = await fakeVpcd();
    const card = new VpcdCard(new CardBehaviour(new SimulatedSsseCard()), { port });
    await card.insert();
    const socket = await accepted;
    const replies = answers(socket, 3);
    const select = Uint8Array.from(Buffer.from('00A404000F7378312E73682EC9E7BBE1B1A3D5CF', 'hex'));
    const wire = Buffer.concat([
      frame(new Uint8Array([VPCD_CONTROL.POWER_ON])),
      frame(new Uint8Array([VPCD_CONTROL.GET_ATR])),
      frame(select),
      frame(Uint8Array.from(Buffer.from('00B2012C00', 'hex'))),
    ]);
    // One byte at a time, then the rest in one go.
    for (const byte of wire.subarray(0, 9)) socket.write(Buffer.from([byte]));
    socket.write(wire.subarray(9));
    const [atr, selected, record] = await replies;
    expect(atr).toBe(hex(SSSE_ATR));
    expect(selected).toBe('9000');
    expect(record).toMatch(/^0110330100D156000005[0-9A-F]{16}9000$/);
    await card.remove();
  });

  it('forgets the selection when vpcd powers the card off', async () => {
    const { port, accepted } = await fakeVpcd();
    const card = new VpcdCard(new CardBehaviour(new SimulatedSsseCard()), { port });
    await card.insert();
    const socket = await accepted;
    const replies = answers(socket, 2);
    socket.write(
      frame(Uint8Array.from(Buffer.from('00A404000F7378312E73682EC9E7BBE1B1A3D5CF', 'hex'))),
    );
    socket.write(frame(new Uint8Array([VPCD_CONTROL.POWER_OFF])));
    socket.write(frame(Uint8Array.from(Buffer.from('00B2012C00', 'hex'))));
    expect(await replies).toEqual(['9000', '6A82']);
    await card.remove();
  });

  it('is refused when nothing listens, unless it is to keep trying', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    const card = new VpcdCard(new CardBehaviour(new SimulatedSsseCard()), { port });
    await expect(card.insert()).rejects.toThrow(/ECONNREFUSED/);
    const events: string[] = [];
    const patient = new VpcdCard(new CardBehaviour(new SimulatedSsseCard()), {
      port,
      reconnectMs: 10,
      onEvent: (e) => events.push(e.kind),
    });
    await patient.insert();
    await patient.remove();
    expect(events[0]).toBe('waiting');
    expect(events).not.toContain('removed');
  });
});

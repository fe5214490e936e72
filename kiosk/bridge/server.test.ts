/**
 * The bridge on a real host: only the holder of this start's secret gets in, every message is
 * schema-checked, and a reconnecting UI picks up the current screen.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestHost } from '../../test/support/host-harness.ts';
import { BRIDGE_SUBPROTOCOL, ServerMessage, TOKEN_SUBPROTOCOL_PREFIX, type ViewModel } from './protocol.ts';

let harness: Awaited<ReturnType<typeof startTestHost>> | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

function connect(url: string, protocols: string[], headers: Record<string, string> = {}) {
  const socket = new WebSocket(url, protocols, { headers });
  const messages: ServerMessage[] = [];
  socket.on('message', (data) => messages.push(ServerMessage.parse(JSON.parse(data.toString()))));
  const opened = new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    socket.once('error', reject);
  });
  const nextView = async (): Promise<ViewModel> => {
    for (let i = 0; i < 400; i++) {
      const message = messages.shift();
      if (message?.type === 'view') return message.view;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error('no view arrived');
  };
  return { socket, opened, messages, nextView };
}

describe('the bridge', () => {
  it('refuses a client without the secret, with the wrong one, or from a foreign origin', async () => {
    harness = await startTestHost();
    const url = `${harness.host.origin.replace('http', 'ws')}/bridge`;
    await expect(connect(url, [BRIDGE_SUBPROTOCOL]).opened).rejects.toThrow('HTTP 401');
    await expect(connect(url, [BRIDGE_SUBPROTOCOL, `${TOKEN_SUBPROTOCOL_PREFIX}${'0'.repeat(64)}`]).opened).rejects.toThrow('HTTP 401');
    const token = `${TOKEN_SUBPROTOCOL_PREFIX}${harness.host.token}`;
    await expect(connect(url, [BRIDGE_SUBPROTOCOL, token], { Origin: 'http://evil.example' }).opened).rejects.toThrow('HTTP 401');
    await expect(connect(`${url}x`, [BRIDGE_SUBPROTOCOL, token]).opened).rejects.toThrow('HTTP 404');
  });

  it('lets the UI with the secret drive the journey and pushes each new screen', async () => {
    harness = await startTestHost();
    const url = `${harness.host.origin.replace('http', 'ws')}/bridge`;
    const client = connect(url, [BRIDGE_SUBPROTOCOL, `${TOKEN_SUBPROTOCOL_PREFIX}${harness.host.token}`], { Origin: harness.host.origin });
    await client.opened;
    expect((await client.nextView()).screen).toBe('attract');
    client.socket.send(JSON.stringify({ type: 'event', event: { type: 'START' } }));
    expect((await client.nextView()).screen).toBe('identify');
    client.socket.send(JSON.stringify({ type: 'event', event: { type: 'SET_LANG', lang: 'en' } }));
    expect(await client.nextView()).toMatchObject({ screen: 'identify', lang: 'en' });
    client.socket.close();

    // A reload of the UI: the new connection gets the current screen at once.
    const again = connect(url, [BRIDGE_SUBPROTOCOL, `${TOKEN_SUBPROTOCOL_PREFIX}${harness.host.token}`]);
    await again.opened;
    expect(await again.nextView()).toMatchObject({ screen: 'identify', lang: 'en' });
    again.socket.close();
  });

  it('answers a message outside the protocol with an error and carries on', async () => {
    harness = await startTestHost();
    const url = `${harness.host.origin.replace('http', 'ws')}/bridge`;
    const client = connect(url, [BRIDGE_SUBPROTOCOL, `${TOKEN_SUBPROTOCOL_PREFIX}${harness.host.token}`]);
    await client.opened;
    await client.nextView();
    for (const bad of ['not json', '{"type":"event","event":{"type":"LAUNCH_MISSILES"}}', '{"type":"sim","sim":{"action":"placeIdCard","person":{"name":"x","idNumber":"123"}}}']) {
      client.socket.send(bad);
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(client.messages.filter((m) => m.type === 'error')).toHaveLength(3);
    expect(harness.host.view().screen).toBe('attract');
    client.socket.send(JSON.stringify({ type: 'event', event: { type: 'START' } }));
    expect((await client.nextView()).screen).toBe('identify');
    client.socket.close();
  });
});

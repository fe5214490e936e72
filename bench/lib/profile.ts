/**
 * Where the kiosk's CPU time goes, by component: V8's sampling profiler (node:inspector) over a
 * piece of work, each sample's leaf frame attributed by its source file. The profiler slows the
 * run down, so only the shares are meaningful, not the milliseconds.
 */
import { Session } from 'node:inspector/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const RULES: [RegExp, string][] = [
  [
    /\/drivers\/.*(simulator|sim-|memory-socket|memory-line|virtual-card)/,
    'device simulators (not ours in service)',
  ],
  [/\/drivers\//, 'drivers'],
  [/\/flows\/|node_modules\/xstate\//, 'flows (xstate)'],
  [/\/kiosk\/store\/|better-sqlite3/, 'journal + ledger (SQLite)'],
  [/\/kiosk\/bridge\/|node_modules\/ws\//, 'bridge (WebSocket)'],
  [
    /\/printer-templates\/|fontkit|pngjs|jpeg-js|qrcode|iconv-lite|pdfkit|restructure|unicode-|brotli|dfa|tiny-inflate/,
    'templates (card face, receipt)',
  ],
  [/\/kiosk\/card-centre\/|\/kiosk\/production\//, 'card-centre client'],
  [/\/kiosk\/log\/|pino|sonic-boom|thread-stream|fast-redact|quick-format/, 'logging'],
  [/node_modules\/zod\//, 'schema checks (zod)'],
  [/\/kiosk\/(host|view|metrics)\/|prom-client/, 'host, view, metrics'],
  [/\/bench\//, 'bench (the simulated resident)'],
  [/^node:|^internal\//, 'node (http, timers, streams, crypto)'],
];

function categoryOf(frame: ProfileNode['callFrame']): string | null {
  if (frame.functionName === '(idle)') return null;
  if (frame.functionName === '(garbage collector)') return 'garbage collection';
  if (frame.functionName === '(program)') return 'native / unattributed';
  for (const [pattern, name] of RULES) if (pattern.test(frame.url)) return name;
  return frame.url === '' ? 'native / unattributed' : 'other';
}

export async function profileShares(
  work: () => Promise<void>,
): Promise<{ shares: [string, number][]; totalMs: number }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  // Stopped in any case: a profiler left running slows everything after it.
  let failure: unknown = null;
  try {
    await work();
  } catch (error) {
    failure = error;
  }
  const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
  await session.post('Profiler.disable');
  session.disconnect();
  if (failure) throw failure;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, number>();
  let totalUs = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const us = profile.timeDeltas[i] ?? 0;
    if (!node) return;
    const category = categoryOf(node.callFrame);
    if (category === null) return;
    totals.set(category, (totals.get(category) ?? 0) + us);
    totalUs += us;
  });
  const shares = [...totals]
    .map(([name, us]) => [name, us / totalUs] as [string, number])
    .sort((a, b) => b[1] - a[1]);
  return { shares, totalMs: totalUs / 1000 };
}

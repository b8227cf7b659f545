// `flotilla bench apiserver`: the apiserver through `flotilla lb` with 2 replicas on a
// 3-member store (Flotilla's or etcd): creates/s and gets/s with p50/p99, LIST latency of
// 10,000 pods (consistent, from the watch cache; and paged from the store), and watch fan-out
// (one update seen by 1,000 watchers: delivery latency). Kubernetes' SLO for comparison:
// single-object mutating and read calls p99 <= 1 s.
import { Agent } from 'node:https';
import { type TestApiServer, startTestApiServer } from '../../control-plane/apiserver/testing/harness.js';
import { call, openWatch, type OpenWatch, type Target } from '../../control-plane/apiserver/testing/http.js';
import { machineFacts, writeResult } from '../report.js';
import { LatencyHistogram } from '../store/histogram.js';

export interface ApiBenchOptions {
  backend: 'flotilla' | 'etcd';
  clients: number;
  seconds: number;
  listPods: number;
  watchers: number;
  watchUpdates: number;
}

export interface PhaseResult {
  ops: number;
  seconds: number;
  perSecond: number;
  errors: number;
  latencyMs: Record<string, number>;
}

const NS = '/api/v1/namespaces/default/pods';

function pod(name: string): object {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'bench', shard: String(name.length % 4) } },
    spec: { containers: [{ name: 'c', image: 'flotilla/hello', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] } };
}

async function closedLoop(clients: number, seconds: number, op: (client: number, i: number) => Promise<boolean>):
  Promise<PhaseResult> {
  const h = new LatencyHistogram();
  let errors = 0;
  const deadline = performance.now() + seconds * 1000;
  const start = performance.now();
  await Promise.all(Array.from({ length: clients }, async (_, c) => {
    for (let i = 0; performance.now() < deadline; i++) {
      const t0 = performance.now();
      const ok = await op(c, i).catch(() => false);
      if (ok) h.record((performance.now() - t0) * 1000);
      else errors++;
    }
  }));
  const elapsed = (performance.now() - start) / 1000;
  return { ops: h.count, seconds: elapsed, perSecond: h.count / elapsed, errors, latencyMs: h.summaryMs() };
}

async function fill(t: Target, total: number, clients: number, existing: number): Promise<void> {
  let next = existing;
  await Promise.all(Array.from({ length: clients }, async () => {
    while (next < total) {
      const i = next++;
      await call(t, 'POST', NS, pod(`fill-${i}`));
    }
  }));
}

async function listLatency(t: Target, query: string, runs: number):
  Promise<{ latencyMs: Record<string, number>; items: number }> {
  const h = new LatencyHistogram();
  let items = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    let cont = '';
    items = 0;
    do {
      const r = await call(t, 'GET', `${NS}?${query}${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`, undefined, {}, 60_000);
      items += (r.json?.items as unknown[] | undefined)?.length ?? 0;
      cont = r.json?.metadata?.continue ?? '';
    } while (cont !== '');
    h.record((performance.now() - t0) * 1000);
  }
  return { latencyMs: h.summaryMs(), items };
}

async function watchFanout(t: Target, watchers: number, updates: number): Promise<Record<string, unknown>> {
  const created = await call(t, 'POST', NS, pod('watched'));
  const rv = created.json.metadata.resourceVersion as string;
  const agent = new Agent({ keepAlive: true, maxSockets: watchers + 10 });
  const ws: OpenWatch[] = [];
  for (let i = 0; i < watchers; i++) {
    ws.push(openWatch({ ...t, agent }, `${NS}?watch=1&resourceVersion=${rv}&fieldSelector=metadata.name%3Dwatched`));
  }
  await new Promise((r) => setTimeout(r, 1000));
  const h = new LatencyHistogram();
  const t0 = performance.now();
  for (let u = 0; u < updates; u++) {
    const sent = performance.now();
    const r = await call(t, 'PATCH', `${NS}/watched`, { metadata: { labels: { u: String(u) } } },
      { 'Content-Type': 'application/merge-patch+json' });
    if (r.status !== 200) throw new Error(`patch failed: ${r.text}`);
    await Promise.all(ws.map(async (w) => {
      await w.waitFor(u + 1, 30_000);
      h.record((performance.now() - sent) * 1000);
    }));
  }
  const seconds = (performance.now() - t0) / 1000;
  ws.forEach((w) => w.close());
  agent.destroy();
  return { watchers, updates, eventsDelivered: h.count, eventsPerSecond: h.count / seconds,
    deliveryLatencyMs: h.summaryMs() };
}

export async function runApiServerBench(o: ApiBenchOptions, progress: (s: string) => void):
  Promise<Record<string, unknown>> {
  const facts = machineFacts();
  progress(`booting 3 ${o.backend} store members + 2 apiservers + lb ...`);
  const h: TestApiServer = await startTestApiServer({ backend: o.backend, apiservers: 2, storeMembers: 3, lb: true });
  const agent = new Agent({ keepAlive: true, maxSockets: o.clients });
  const t: Target = { url: h.url, token: h.token, caPem: h.caPem, agent };
  try {
    progress(`creates: ${o.clients} clients for ${o.seconds} s`);
    const creates = await closedLoop(o.clients, o.seconds, async (c, i) =>
      (await call(t, 'POST', NS, pod(`c${c}-${i}`))).status === 201);
    progress(`  ${creates.perSecond.toFixed(0)} creates/s, p99 ${ms(creates.latencyMs['p99'])} ms`);
    progress(`gets: ${o.clients} clients for ${o.seconds} s`);
    const gets = await closedLoop(o.clients, o.seconds, async (c, i) =>
      (await call(t, 'GET', `${NS}/c${c}-${i % 50}`)).status !== 500);
    progress(`  ${gets.perSecond.toFixed(0)} gets/s, p99 ${ms(gets.latencyMs['p99'])} ms`);
    progress(`filling to ${o.listPods} pods ...`);
    await fill(t, o.listPods, o.clients, creates.ops);
    const listCache = await listLatency(t, 'limit=0', 5);
    const listTable = await listLatency(t, 'limit=0&labelSelector=shard%3D1', 5);
    const listPaged = await listLatency(t, 'limit=500', 3);
    progress(`  LIST ${listCache.items} pods: p50 ${ms(listCache.latencyMs['p50'])} ms (cache), ` +
      `paged 500: p50 ${ms(listPaged.latencyMs['p50'])} ms`);
    progress(`watch fan-out: ${o.watchers} watchers x ${o.watchUpdates} updates`);
    const watch = await watchFanout(t, o.watchers, o.watchUpdates);
    const result = { bench: 'apiserver', backend: o.backend, options: o, machine: facts, creates, gets,
      list: { pods: listCache.items, cacheLatencyMs: listCache.latencyMs, selectorLatencyMs: listTable.latencyMs,
        selectorItems: listTable.items, pagedLatencyMs: listPaged.latencyMs }, watch };
    return result;
  } finally {
    agent.destroy();
    await h.stop();
  }
}

const ms = (x: number | undefined): string => (x === undefined ? '-' : x < 10 ? x.toFixed(2) : x.toFixed(0));

export function printApiServerBench(r: Record<string, unknown>, path: string): string {
  const c = r['creates'] as PhaseResult;
  const g = r['gets'] as PhaseResult;
  const l = r['list'] as { pods: number; cacheLatencyMs: Record<string, number>; pagedLatencyMs: Record<string, number> };
  const w = r['watch'] as { watchers: number; eventsPerSecond: number; deliveryLatencyMs: Record<string, number> };
  const rows = [
    ['backend', String(r['backend'])],
    ['creates/s', `${c.perSecond.toFixed(0)}  (p50 ${ms(c.latencyMs['p50'])} ms, p99 ${ms(c.latencyMs['p99'])} ms, ${c.errors} errors)`],
    ['gets/s', `${g.perSecond.toFixed(0)}  (p50 ${ms(g.latencyMs['p50'])} ms, p99 ${ms(g.latencyMs['p99'])} ms, ${g.errors} errors)`],
    [`LIST ${l.pods} pods`, `p50 ${ms(l.cacheLatencyMs['p50'])} ms, p99 ${ms(l.cacheLatencyMs['p99'])} ms (watch cache)`],
    ['LIST paged 500', `p50 ${ms(l.pagedLatencyMs['p50'])} ms, p99 ${ms(l.pagedLatencyMs['p99'])} ms (store, all pages)`],
    [`watch x${w.watchers}`, `${w.eventsPerSecond.toFixed(0)} events/s delivered, p50 ${ms(w.deliveryLatencyMs['p50'])} ms, ` +
      `p99 ${ms(w.deliveryLatencyMs['p99'])} ms write-ack → event`],
    ['json', path],
  ];
  return rows.map(([k, v]) => `${k!.padEnd(18)} ${v}`).join('\n') + '\n';
}

export async function benchApiServerCommand(o: ApiBenchOptions & { json?: boolean }): Promise<void> {
  const result = await runApiServerBench(o, (s) => process.stderr.write(`${s}\n`));
  const path = writeResult(`apiserver-${o.backend}`, result);
  process.stdout.write(o.json ? JSON.stringify(result, null, 2) + '\n' : printApiServerBench(result, path));
}

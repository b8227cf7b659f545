// One experiment against one system: start the cluster behind its proxies, start watchers,
// traffic, status polling and the fault schedule; at the end heal everything, let traffic
// show the cluster serves again, read every key linearizably, collect the store's own
// change log (a watch from revision 1), stop the cluster, then run the checkers.
import { randomBytes } from 'node:crypto';
import { EtcdClient, prefixEnd } from '../../store/client/client.js';
import { checkAvailability, type AvailabilityResult } from '../checkers/availability.js';
import type { FinalRead, KvRead, Operation, ReferenceHistory, WatcherHistory } from '../checkers/history.js';
import { checkLinearizability, type LinearizabilityResult, type Verdict } from '../checkers/linearizability.js';
import { checkLostWrites, type LostWritesResult } from '../checkers/lost-writes.js';
import { patchHistory, type PatchSummary } from '../checkers/patch.js';
import { checkWatches, type WatchResult } from '../checkers/watch.js';
import { closeProxies, startChaosCluster, startClientProxies, type ChaosCluster, type SystemName } from './cluster.js';
import { ChaosRunError } from './errors.js';
import type { Experiment, NetworkMode } from './experiment.js';
import { FaultScheduler, type FaultEvent } from './faults.js';
import { RUN_LIMITS } from './limits.js';
import { Monitor, type LeaderChange, type StatusSample } from './monitor.js';
import { Recorder, RecordedWatch, sleep, startWorkload, type WorkloadRun } from './workload.js';

export type CheckerResult = LinearizabilityResult | WatchResult | LostWritesResult | AvailabilityResult;

export interface SystemRun {
  system: SystemName;
  experiment: string;
  durationMs: number;
  /** When the schedule ended and everything was healed (ms since the run began). */
  healedAt: number;
  /** When traffic stopped (after a write succeeded past the heal). */
  stoppedAt: number;
  endedAt: number;
  ops: Operation[];
  watchers: WatcherHistory[];
  reference: ReferenceHistory;
  finalRead: FinalRead;
  faultEvents: FaultEvent[];
  leaderChanges: LeaderChange[];
  statusSamples: StatusSample[];
  patch: PatchSummary;
  checkers: CheckerResult[];
  verdict: Verdict;
  proxyStats: Record<string, unknown>;
  error?: string;
}

export interface RunOptions {
  durationMs?: number;
  /** Overrides the experiment's topology.network. */
  network?: NetworkMode;
  log?: (line: string) => void;
}

async function untilOk<T>(what: string, fn: () => Promise<T>, deadlineMs: number): Promise<T> {
  let last: Error | undefined;
  while (Date.now() < deadlineMs) {
    try {
      return await fn();
    } catch (e) {
      last = e as Error;
      await sleep(200);
    }
  }
  throw new ChaosRunError(`${what} did not succeed after healing: ${last?.message ?? 'timeout'}`);
}

async function finalRead(endpoints: string[], prefix: string, rec: Recorder): Promise<FinalRead> {
  const client = new EtcdClient({ endpoints, requestTimeoutMs: 3_000 });
  try {
    const r = await untilOk('final read', () => client.get(prefix, { prefix: true }), Date.now() + RUN_LIMITS.healSettleMsMax);
    const kvs: Record<string, KvRead> = {};
    for (const kv of r.kvs) kvs[kv.key.toString()] = { value: kv.value.toString(), modRev: kv.modRevision };
    return { at: rec.now(), revision: r.revision, kvs };
  } finally {
    client.close();
  }
}

async function referenceHistory(endpoints: string[], prefix: string, finalRevision: number, rec: Recorder):
  Promise<ReferenceHistory> {
  const w = new RecordedWatch(0, endpoints, prefix, 1, false, rec);
  try {
    const ok = await w.catchUp(finalRevision, Date.now() + RUN_LIMITS.watchCatchUpMsMax);
    if (!ok) throw new ChaosRunError(`the reference watch from revision 1 did not reach revision ${finalRevision}`);
    const events = w.history.responses.flatMap((r) => (r.kind === 'events' ? r.events : []))
      .filter((e) => e.modRev <= finalRevision);
    return { events, finalRevision };
  } finally {
    w.close();
  }
}

/** After the heal: traffic keeps going until a write invoked after it has succeeded (bounded). */
async function awaitRecovery(rec: Recorder, healedAt: number): Promise<void> {
  const deadline = Date.now() + RUN_LIMITS.healSettleMsMax;
  const writes = ['put', 'delete', 'cas', 'leaseRevoke'];
  while (Date.now() < deadline) {
    if (rec.ops.some((o) => o.call >= healedAt + 1000 && o.ret !== null && writes.includes(o.input.kind))) return;
    await sleep(100);
  }
}

export async function runSystem(exp: Experiment, system: SystemName, o: RunOptions = {}): Promise<SystemRun> {
  const log = o.log ?? (() => {});
  const durationMs = o.durationMs ?? exp.durationMs;
  const network = o.network ?? exp.network;
  if (network === 'netns' && exp.faults.some((f) => f.kind === 'network' && f.between === 'clients')) {
    throw new ChaosRunError('client-link faults (`between: clients`) go through the fault proxy; they are not ' +
      'available with topology.network netns');
  }
  const cluster = await startChaosCluster(system, exp.members, exp.timing,
    { network, needsDelay: exp.faults.some((f) => f.kind === 'network') });
  log(`${system}: ${exp.members} members up (${cluster.members.map((m) => m.clientEndpoint).join(', ')})`);
  try {
    return await drive(exp, cluster, durationMs, log);
  } finally {
    await cluster.stop();
  }
}

async function drive(exp: Experiment, cluster: ChaosCluster, durationMs: number, log: (l: string) => void):
  Promise<SystemRun> {
  const rec = new Recorder();
  const prefix = `/chaos/${exp.name}/${randomBytes(3).toString('hex')}/`;
  const clientProxies = exp.faults.some((f) => f.kind === 'network' && f.between === 'clients')
    ? await startClientProxies(cluster) : undefined;
  const endpoints = cluster.members.map((m) => clientProxies ? `127.0.0.1:${clientProxies.get(m.name)!.port}`
    : m.clientEndpoint);
  const monitor = new Monitor(cluster, rec);
  monitor.start();
  const faults = new FaultScheduler(cluster, monitor, rec, (l) => log(`${cluster.system} ${fmtS(rec.now())} ${l}`));
  const watches: RecordedWatch[] = [];
  let workload: WorkloadRun | undefined;
  let progress: NodeJS.Timeout | undefined;
  let resumeTimer: NodeJS.Timeout | undefined;
  try {
    const startRev = await currentRevision(endpoints, prefix);
    for (let i = 0; i < exp.workload.watchers; i++) {
      watches.push(new RecordedWatch(i + 1, endpoints, prefix, startRev + 1, false, rec));
    }
    const leaseTtl = Math.max(RUN_LIMITS.leaseTtlSecondsMin, Math.ceil((2 * durationMs) / 1000));
    workload = startWorkload(exp.workload, endpoints, rec, prefix, leaseTtl);
    faults.start(exp.faults, durationMs);
    progress = setInterval(() => log(progressLine(cluster.system, rec, monitor, faults)), 5_000);
    const startResumed = async (): Promise<void> => {
      const now = await currentRevision(endpoints, prefix).catch(() => 0);
      for (let i = 0; i < exp.workload.resumedWatchers && now > 0; i++) {
        // From a past revision: the store must replay history it already has.
        const from = Math.max(startRev + 1, Math.floor((startRev + now) / 2) - i);
        watches.push(new RecordedWatch(100 + i, endpoints, prefix, from, true, rec));
      }
    };
    resumeTimer = setTimeout(() => void startResumed(), durationMs / 2);
    await sleep(Math.max(0, durationMs - rec.now()));
    await faults.healAll();
    const healedAt = rec.now();
    log(`${cluster.system} ${fmtS(healedAt)} healed everything; waiting for the cluster to serve writes`);
    await awaitRecovery(rec, healedAt);
    const stoppedAt = rec.now();
    await workload.stop();
    const final = await finalRead(endpoints, prefix, rec);
    const catchUpBy = Date.now() + RUN_LIMITS.watchCatchUpMsMax;
    const caught = await Promise.all(watches.map((w) => w.catchUp(final.revision, catchUpBy)));
    log(`${cluster.system} final read at rev ${final.revision}; watchers caught up: ` +
      `${caught.filter(Boolean).length}/${watches.length}`);
    const reference = await referenceHistory(endpoints, prefix, final.revision, rec);
    const proxyStats = Object.fromEntries([...cluster.proxies.entries()].map(([n, p]) => [n, { ...p.stats }]));
    return finish(exp, cluster.system, {
      durationMs, healedAt, stoppedAt, endedAt: rec.now(), ops: rec.ops, reference, finalRead: final,
      watchers: watches.map((w) => w.history), faultEvents: faults.events, windows: faults.windows,
      leaderChanges: monitor.leaderChanges, statusSamples: monitor.samples, proxyStats });
  } finally {
    // Also on the way out of a failed run: nothing of ours may keep the process alive.
    clearInterval(progress);
    clearTimeout(resumeTimer);
    faults.cancel();
    await workload?.stop();
    for (const w of watches) w.close();
    monitor.stop();
    if (clientProxies) await closeProxies(clientProxies);
  }
}

function finish(exp: Experiment, system: SystemName, r: Omit<SystemRun, 'system' | 'experiment' | 'patch' |
  'checkers' | 'verdict'> & { windows: FaultScheduler['windows'] }): SystemRun {
  const patched = patchHistory(r.ops, r.reference);
  const checkers: CheckerResult[] = [];
  for (const name of exp.checkers) {
    if (name === 'linearizability') checkers.push(checkLinearizability(patched.ops));
    if (name === 'watch') checkers.push(checkWatches(r.watchers, r.reference));
    if (name === 'lost-writes') checkers.push(checkLostWrites(r.ops, r.reference, r.finalRead));
    if (name === 'availability') checkers.push(checkAvailability(r.ops, r.windows, r.stoppedAt, exp.maxUnavailableMs));
  }
  const verdicts = checkers.map((c) => c.verdict);
  const verdict: Verdict = verdicts.includes('fail') ? 'fail' : verdicts.includes('unknown') ? 'unknown' : 'pass';
  const { windows: _w, ...rest } = r;
  return { ...rest, system, experiment: exp.name, patch: patched.summary, checkers, verdict };
}

async function currentRevision(endpoints: string[], prefix: string): Promise<number> {
  const c = new EtcdClient({ endpoints, requestTimeoutMs: 10_000 });
  try {
    return (await c.get(prefix, { rangeEnd: prefixEnd(Buffer.from(prefix)), countOnly: true })).revision;
  } finally {
    c.close();
  }
}

const fmtS = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

function progressLine(system: string, rec: Recorder, monitor: Monitor, faults: FaultScheduler): string {
  const ok = rec.ops.filter((o) => o.ret !== null).length;
  const last = monitor.leaderChanges.at(-1);
  const active = faults.activeLabels;
  return `${system} ${fmtS(rec.now())} ops ${rec.ops.length} (ok ${ok}, unknown ${rec.ops.length - ok}) | leader ` +
    `${last?.leader ?? '?'} term ${last?.term ?? '?'} | faults: ${active.length ? active.join('; ') : 'none'}`;
}

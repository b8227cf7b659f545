// The Node load generator: the same flags and the same one-line JSON as loadgen/main.go,
// on @grpc/grpc-js with the store's own .proto files, in ONE process. It saturates near
// 2,500 req/s on the project's machines (BENCHMARKING.md), so it is not for comparing
// systems: it keeps the CI smoke test free of Go and is used only with --loadgen node.
//
//   node dist/bench/store/loadgen-node.js --endpoints 127.0.0.1:2379 --workload put --clients 8 ...
//
// Workload shapes match the Go generator (see its header). Without --pin, connection j
// still starts at endpoint j % n, and a client moves to the next connection after an error.
import { writeFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { loadEtcdPackage } from '../../store/api/proto.js';
import { LatencyHistogram } from './histogram.js';

interface Flags {
  endpoints: string[];
  workload: string;
  clients: number;
  conns: number;
  pin: boolean;
  duration: number;
  warmup: number;
  valueSize: number;
  keySpace: number;
  keyPrefix: string;
  timeoutMs: number;
  acksFile: string;
  populate: boolean;
}

const MAX_ERROR_SAMPLES = 5;

function parse(argv: string[]): Flags {
  const f: Flags = {
    endpoints: ['127.0.0.1:2379'], workload: 'put', clients: 1, conns: 1, pin: false, duration: 10, warmup: 2,
    valueSize: 256, keySpace: 10000, keyPrefix: 'bench/', timeoutMs: 5000, acksFile: '', populate: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--pin') f.pin = true;
    else if (a === '--populate') f.populate = true;
    else {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      const num = (): number => {
        const n = Number(v);
        if (!Number.isFinite(n)) throw new Error(`${a} takes a number, got "${v}"`);
        return n;
      };
      switch (a) {
        case '--endpoints': f.endpoints = v.split(','); break;
        case '--workload': f.workload = v; break;
        case '--clients': f.clients = num(); break;
        case '--conns': f.conns = num(); break;
        case '--duration': f.duration = num(); break;
        case '--warmup': f.warmup = num(); break;
        case '--value-size': f.valueSize = num(); break;
        case '--key-space': f.keySpace = num(); break;
        case '--key-prefix': f.keyPrefix = v; break;
        case '--timeout-ms': f.timeoutMs = num(); break;
        case '--acks-file': f.acksFile = v; break;
        default: throw new Error(`unknown flag ${a}`);
      }
    }
  }
  if (!['put', 'txn', 'get-linearizable', 'get-serializable'].includes(f.workload)) {
    throw new Error(`unknown --workload "${f.workload}"`);
  }
  if (f.clients < 1 || f.conns < 1 || f.conns > f.clients || f.keySpace < 1) throw new Error('need --clients >= --conns >= 1');
  return f;
}

type Unary = (req: object, md: grpc.Metadata, opts: grpc.CallOptions,
  cb: (e: grpc.ServiceError | null, v: Record<string, unknown>) => void) => void;

function callKv(kv: grpc.Client, method: string, req: object, timeoutMs: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const fn = (kv as unknown as Record<string, Unary>)[method]!;
    fn.call(kv, req, new grpc.Metadata(), { deadline: Date.now() + timeoutMs }, (e, v) => (e ? reject(e) : resolve(v)));
  });
}

const keyOf = (f: Flags, i: number) => Buffer.from(`${f.keyPrefix}${String(i).padStart(8, '0')}`);

/** One operation for client g; resolves false when a txn compare failed. */
function makeOp(f: Flags, g: number, value: Buffer): (kv: grpc.Client) => Promise<boolean> {
  const rnd = () => Math.floor(Math.random() * f.keySpace);
  switch (f.workload) {
    case 'put':
      return async (kv) => (await callKv(kv, 'Put', { key: keyOf(f, rnd()), value }, f.timeoutMs), true);
    case 'get-linearizable':
    case 'get-serializable': {
      const serializable = f.workload === 'get-serializable';
      return async (kv) => (await callKv(kv, 'Range', { key: keyOf(f, rnd()), serializable }, f.timeoutMs), true);
    }
    default: {
      const perClient = Math.max(1, Math.floor(f.keySpace / f.clients));
      const modRev = new Array<string>(perClient).fill('0');
      let next = 0;
      return async (kv) => {
        const j = next;
        next = (next + 1) % perClient;
        const key = keyOf(f, g * perClient + j);
        const r = await callKv(kv, 'Txn', {
          compare: [{ result: 'EQUAL', target: 'MOD', key, mod_revision: modRev[j] }],
          success: [{ request_put: { key, value } }],
          failure: [{ request_range: { key } }],
        }, f.timeoutMs) as { succeeded: boolean; header: { revision: string };
          responses: { response_range?: { kvs: { mod_revision: string }[] } }[] };
        if (r.succeeded) {
          modRev[j] = r.header.revision;
          return true;
        }
        modRev[j] = r.responses[0]?.response_range?.kvs[0]?.mod_revision ?? '0';
        return false;
      };
    }
  }
}

async function main(): Promise<void> {
  const f = parse(process.argv.slice(2));
  const cpu0 = process.cpuUsage();
  const pkg = grpc.loadPackageDefinition(loadEtcdPackage()) as unknown as
    { etcdserverpb: { KV: new (addr: string, creds: grpc.ChannelCredentials) => grpc.Client } };
  const conns = Array.from({ length: f.conns }, (_, j) =>
    new pkg.etcdserverpb.KV(f.endpoints[j % f.endpoints.length]!, grpc.credentials.createInsecure()));
  const value = Buffer.alloc(f.valueSize, 'v');
  if (f.populate) {
    let next = 0;
    await Promise.all(Array.from({ length: f.clients }, async (_, g) => {
      for (let i = next++; i < f.keySpace; i = next++) await callKv(conns[g % conns.length]!, 'Put', { key: keyOf(f, i), value }, f.timeoutMs);
    }));
  }
  const t0 = Date.now() + f.warmup * 1000;
  let stopAt = f.duration > 0 ? t0 + f.duration * 1000 : Infinity;
  const stop = () => (stopAt = Math.min(stopAt, Date.now()));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  if (f.duration === 0) process.stdin.on('end', stop).resume();
  const hist = new LatencyHistogram();
  // Connection j talks to endpoint j % endpoints (pinned, it never moves; see LoadResult.byEndpoint).
  const endpointHists = f.endpoints.map(() => new LatencyHistogram());
  const acks: string[] = [];
  let errors = 0;
  let conflicts = 0;
  const samples: string[] = [];
  let cpuT0: NodeJS.CpuUsage | undefined;
  const t0Timer = setTimeout(() => (cpuT0 = process.cpuUsage()), Math.max(0, t0 - Date.now()));
  await Promise.all(Array.from({ length: f.clients }, async (_, g) => {
    const op = makeOp(f, g, value);
    let conn = g % conns.length;
    for (;;) {
      const start = Date.now();
      if (start >= stopAt) return;
      let ok = false;
      let err: Error | undefined;
      const hr = process.hrtime.bigint();
      try {
        ok = await op(conns[conn]!);
      } catch (e) {
        err = e as Error;
        if (!f.pin) conn = (conn + 1) % conns.length;
      }
      const end = Date.now();
      if (end < t0 || end >= stopAt) continue;
      const us = Number(process.hrtime.bigint() - hr) / 1000;
      if (err !== undefined) {
        errors++;
        if (samples.length < MAX_ERROR_SAMPLES) samples.push(err.message);
        if (f.acksFile) acks.push(`${start * 1000} ${end * 1000} 0`);
      } else if (!ok) {
        conflicts++;
      } else {
        hist.record(us);
        endpointHists[conn % f.endpoints.length]!.record(us);
        if (f.acksFile) acks.push(`${start * 1000} ${end * 1000} 1`);
      }
    }
  }));
  clearTimeout(t0Timer);
  const cpuT1 = process.cpuUsage();
  const elapsed = (Math.min(stopAt, Date.now()) - t0) / 1000;
  for (const c of conns) c.close();
  if (f.acksFile) writeFileSync(f.acksFile, acks.join('\n') + (acks.length ? '\n' : ''));
  const cpuMeasured = cpuT0 === undefined ? 0 : (cpuT1.user - cpuT0.user + cpuT1.system - cpuT0.system) / 1e6;
  const total = process.cpuUsage(cpu0);
  process.stdout.write(JSON.stringify({
    tool: 'loadgen-node', clientLib: `@grpc/grpc-js (one Node process)`, workload: f.workload, endpoints: f.endpoints,
    clients: f.clients, conns: f.conns, pinned: f.pin, valueBytes: f.valueSize, keySpace: f.keySpace,
    warmupSeconds: f.warmup, elapsedSeconds: elapsed, count: hist.count, errors, conflicts,
    opsPerSecond: hist.count / elapsed, latencyMs: hist.summaryMs(), cpuSeconds: cpuMeasured,
    cpuCoresUsed: cpuMeasured / elapsed, cpuSecondsTotal: (total.user + total.system) / 1e6, errorSamples: samples,
    ...(f.acksFile ? { acksFile: f.acksFile } : {}),
    ...(f.pin && f.endpoints.length > 1 ? {
      byEndpoint: f.endpoints.map((endpoint, e) => ({
        endpoint, count: endpointHists[e]!.count, latencyMs: endpointHists[e]!.summaryMs(),
      })),
    } : {}),
  }) + '\n');
  process.exit(0);
}

main().catch((e: Error) => {
  process.stderr.write(`loadgen-node: ${e.message}\n`);
  process.exit(2);
});

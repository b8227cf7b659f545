// WAL throughput on this machine's disk (a benchmark: it reports numbers, it never fails).
//
//   npx tsc -b && node dist/bench/wal-bench.js [--seconds 2] [--json]
//
// Sequential rows: one save (one Ready) at a time, each awaited, so every save pays one
// fdatasync: fsyncs/s is the disk's sync rate, entries/s grows with the batch size.
// The group-commit row has many savers in flight at once, as a busy leader's driver
// would; they share fsyncs, so entries/s exceeds fsyncs/s.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Entry } from '../store/raft/types.js';
import { EntryType } from '../store/raft/types.js';
import { WAL } from '../store/wal/index.js';

const ENTRY_BYTES = 256;
const BATCH_SIZES = [1, 16, 256];
const GROUP_COMMIT_SAVERS = 16;

interface Row {
  scenario: string;
  entriesPerSave: number;
  concurrentSavers: number;
  saves: number;
  fsyncs: number;
  seconds: number;
  fsyncsPerSecond: number;
  savesPerSecond: number;
  entriesPerSecond: number;
  megabytesPerSecond: number;
  saveLatencyMsP50: number;
  saveLatencyMsP99: number;
}

function parseArgs(argv: string[]): { seconds: number; json: boolean } {
  const i = argv.indexOf('--seconds');
  const seconds = i >= 0 ? Number(argv[i + 1]) : 2;
  if (!(seconds > 0)) throw new Error('--seconds takes a positive number');
  return { seconds, json: argv.includes('--json') };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] as number;
}

function makeBatch(first: number, count: number, payload: Uint8Array): Entry[] {
  const out: Entry[] = [];
  for (let i = 0; i < count; i++) out.push({ index: first + i, term: 1, type: EntryType.Normal, data: payload });
  return out;
}

async function measure(dir: string, entriesPerSave: number, savers: number, seconds: number): Promise<Row> {
  const wal = await WAL.create(dir, { metadata: { clusterId: new Uint8Array(8), memberId: new Uint8Array(8) } });
  const payload = new Uint8Array(ENTRY_BYTES).fill(0xab);
  const latenciesMs: number[] = [];
  let next = 1;
  let saves = 0;
  const deadline = performance.now() + seconds * 1000;
  const start = performance.now();
  // Each saver loops: build the next batch (indices are handed out synchronously, so
  // concurrent savers still append a contiguous log), save, wait until durable.
  const saver = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const batch = makeBatch(next, entriesPerSave, payload);
      next += entriesPerSave;
      const t0 = performance.now();
      await wal.save({ entries: batch, hardState: { term: 1, vote: 'bench', commit: next - 1 } });
      latenciesMs.push(performance.now() - t0);
      saves++;
    }
  };
  await Promise.all(Array.from({ length: savers }, saver));
  const elapsed = (performance.now() - start) / 1000;
  const stats = wal.stats();
  await wal.close();
  latenciesMs.sort((a, b) => a - b);
  const round = (n: number): number => Math.round(n * 100) / 100;
  return {
    scenario: savers > 1 ? 'group-commit' : 'sequential',
    entriesPerSave,
    concurrentSavers: savers,
    saves,
    fsyncs: stats.fsyncs,
    seconds: round(elapsed),
    fsyncsPerSecond: Math.round(stats.fsyncs / elapsed),
    savesPerSecond: Math.round(saves / elapsed),
    entriesPerSecond: Math.round((saves * entriesPerSave) / elapsed),
    megabytesPerSecond: round(stats.bytesWritten / elapsed / (1024 * 1024)),
    saveLatencyMsP50: round(percentile(latenciesMs, 0.5)),
    saveLatencyMsP99: round(percentile(latenciesMs, 0.99)),
  };
}

async function main(): Promise<void> {
  const { seconds, json } = parseArgs(process.argv.slice(2));
  const root = await mkdtemp(join(tmpdir(), 'flotilla-wal-bench-'));
  const rows: Row[] = [];
  try {
    for (const n of BATCH_SIZES) rows.push(await measure(join(root, `seq-${n}`), n, 1, seconds));
    rows.push(await measure(join(root, 'group'), 1, GROUP_COMMIT_SAVERS, seconds));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  if (json) {
    process.stdout.write(`${JSON.stringify({ benchmark: 'wal', entryBytes: ENTRY_BYTES, node: process.version, rows }, null, 2)}\n`);
    return;
  }
  console.log(`WAL benchmark: ${ENTRY_BYTES}-byte entries, ${seconds}s per row, temp dir under ${tmpdir()}`);
  console.table(rows.map((r) => ({
    scenario: r.scenario, 'entries/save': r.entriesPerSave, savers: r.concurrentSavers, 'fsyncs/s': r.fsyncsPerSecond,
    'saves/s': r.savesPerSecond, 'entries/s': r.entriesPerSecond, 'MB/s': r.megabytesPerSecond,
    'p50 ms': r.saveLatencyMsP50, 'p99 ms': r.saveLatencyMsP99,
  })));
}

await main();

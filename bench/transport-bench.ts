// Throughput of the Raft peer transport: one sending member and one receiving member on
// loopback, App messages of N entries of B bytes, as fast as the receiver takes them.
// The receiver runs in a child process so sender and receiver each have a core (and the
// CPU of each is reported: a side near 100% of a core is the bottleneck). The sender keeps
// its per-peer queue below a window rather than flooding it, so the number is delivered
// throughput, not how fast a queue can drop. Messages/s counts what the receiver's core
// would have been handed, measured from the first send until the last message arrived.
//
//   node dist/bench/transport-bench.js [--seconds 3] [--rounds 2] [--entries 1,64] [--entry-bytes 256] [--json]
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { EntryType, MessageType } from '../store/raft/types.js';
import type { Message } from '../store/raft/types.js';
import { PeerTransport } from '../store/transport/index.js';
import { cpuSeconds, machineFacts, writeResult } from './report.js';

export interface TransportBenchOptions {
  seconds: number;
  rounds: number;
  entriesPerMessage: number[];
  entryBytes: number;
}

export interface TransportBenchCase {
  entriesPerMessage: number;
  entryBytes: number;
  round: number;
  messages: number;
  elapsedSeconds: number;
  messagesPerSecond: number;
  entriesPerSecond: number;
  /** Entry data delivered, MiB/s. */
  payloadMiBPerSecond: number;
  /** Frame bytes written by the sender, MiB/s. */
  wireMiBPerSecond: number;
  framesPerSecond: number;
  dropped: number;
  senderCpuPercent: number;
  receiverCpuPercent: number;
}

export interface TransportBenchResult {
  name: 'transport';
  options: TransportBenchOptions;
  cases: TransportBenchCase[];
  /** Median over rounds per message shape. */
  medians: { entriesPerMessage: number; messagesPerSecond: number; payloadMiBPerSecond: number }[];
  machine: ReturnType<typeof machineFacts>;
}

/** Messages per send() call: about what one Ready carries to one follower under load. */
const MESSAGES_PER_SEND = 64;
/**
 * The sender stops adding while this much waits in the peer's queue: well inside the
 * queue's bounds (16,384 messages, 64 MiB), so nothing is dropped.
 */
const QUEUE_WINDOW_BYTES = 16 * 1024 * 1024;
const QUEUE_WINDOW_MESSAGES = 8_192;
const WARMUP_SECONDS = 1;
const DRAIN_TIMEOUT_MS = 30_000;
const MiB = 1024 * 1024;

type ReceiverStats = { messages: number; entries: number; entryBytes: number; cpuSeconds: number };
type FromReceiver = { type: 'ready'; port: number } | ({ type: 'stats' } & ReceiverStats);

// ---- receiver (child process) ----

async function runReceiver(): Promise<void> {
  const stats = { messages: 0, entries: 0, entryBytes: 0 };
  const transport = new PeerTransport({
    selfId: 'b', clusterId: 'bench', listen: { host: '127.0.0.1', port: 0 },
    onMessage: (m) => {
      stats.messages++;
      stats.entries += m.entries.length;
      for (const e of m.entries) stats.entryBytes += e.data.byteLength;
    },
    onUnreachable: () => {}, onSnapshotStatus: () => {},
  });
  await transport.start();
  const cpu = process.cpuUsage();
  process.on('message', (req: { type: string }) => {
    if (req.type === 'stats') process.send?.({ type: 'stats', ...stats, cpuSeconds: cpuSeconds(cpu) });
    if (req.type === 'close') void transport.close().then(() => process.disconnect());
  });
  process.send?.({ type: 'ready', port: transport.address.port });
}

// ---- sender (this process) ----

function ask(child: ChildProcess): Promise<ReceiverStats> {
  return new Promise((resolve) => {
    const onMessage = (m: FromReceiver) => {
      if (m.type !== 'stats') return;
      child.off('message', onMessage);
      resolve(m);
    };
    child.on('message', onMessage);
    child.send({ type: 'stats' });
  });
}

const tick = () => new Promise<void>((r) => setImmediate(r));

function appBatch(entries: number, entryBytes: number): Message[] {
  const data = new Uint8Array(entryBytes).fill(97);
  return Array.from({ length: MESSAGES_PER_SEND }, (_, i) => ({
    type: MessageType.App, from: 'a', to: 'b', term: 2, logTerm: 2, index: i * entries, commit: i * entries,
    reject: false, rejectHint: 0,
    entries: Array.from({ length: entries },
      (_, j) => ({ term: 2, index: i * entries + j + 1, type: EntryType.Normal, data })),
  }));
}

/** Send for `seconds`, then wait for the receiver to have everything; returns counts and time. */
async function drive(sender: PeerTransport, child: ChildProcess, batch: Message[], seconds: number) {
  const before = await ask(child);
  const peerBefore = sender.metrics().peers['b']!;
  const cpu = process.cpuUsage();
  const start = performance.now();
  let sent = 0;
  while (performance.now() - start < seconds * 1000) {
    const peer = sender.metrics().peers['b']!;
    if (peer.queueBytes < QUEUE_WINDOW_BYTES && peer.queueMessages < QUEUE_WINDOW_MESSAGES) {
      sender.send(batch);
      sent += batch.length;
    }
    await tick();
  }
  const dropped = () => sender.metrics().peers['b']!.messagesDropped - peerBefore.messagesDropped;
  let after = await ask(child);
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  while (after.messages - before.messages < sent - dropped() && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 2));
    after = await ask(child);
  }
  const elapsedSeconds = (performance.now() - start) / 1000;
  const peerAfter = sender.metrics().peers['b']!;
  return {
    messages: after.messages - before.messages, entryBytes: after.entryBytes - before.entryBytes,
    entries: after.entries - before.entries, elapsedSeconds, dropped: dropped(),
    wireBytes: peerAfter.bytesSent - peerBefore.bytesSent, frames: peerAfter.framesSent - peerBefore.framesSent,
    senderCpuSeconds: cpuSeconds(cpu), receiverCpuSeconds: after.cpuSeconds - before.cpuSeconds,
  };
}

async function startReceiver(): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(fileURLToPath(import.meta.url), ['--role=receiver'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.on('message', (m: FromReceiver) => {
      if (m.type === 'ready') resolve(m.port);
    });
  });
  return { child, port };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export async function runTransportBench(options: TransportBenchOptions): Promise<TransportBenchResult> {
  const { child, port } = await startReceiver();
  const sender = new PeerTransport({
    selfId: 'a', clusterId: 'bench', listen: { host: '127.0.0.1', port: 0 },
    peers: new Map([['b', `http://127.0.0.1:${port}`]]),
    onMessage: () => {}, onUnreachable: () => {}, onSnapshotStatus: () => {},
  });
  const cases: TransportBenchCase[] = [];
  try {
    await sender.start();
    while (!sender.isConnected('b')) await new Promise((r) => setTimeout(r, 10));
    // Rounds alternate the shapes (A B A B) so drift hits every shape alike.
    for (let round = 1; round <= options.rounds; round++) {
      for (const entries of options.entriesPerMessage) {
        const batch = appBatch(entries, options.entryBytes);
        await drive(sender, child, batch, WARMUP_SECONDS);
        const r = await drive(sender, child, batch, options.seconds);
        cases.push({
          entriesPerMessage: entries, entryBytes: options.entryBytes, round, messages: r.messages,
          elapsedSeconds: r.elapsedSeconds, messagesPerSecond: r.messages / r.elapsedSeconds,
          entriesPerSecond: r.entries / r.elapsedSeconds, payloadMiBPerSecond: r.entryBytes / MiB / r.elapsedSeconds,
          wireMiBPerSecond: r.wireBytes / MiB / r.elapsedSeconds, framesPerSecond: r.frames / r.elapsedSeconds,
          dropped: r.dropped, senderCpuPercent: (100 * r.senderCpuSeconds) / r.elapsedSeconds,
          receiverCpuPercent: (100 * r.receiverCpuSeconds) / r.elapsedSeconds,
        });
      }
    }
  } finally {
    await sender.close();
    child.send({ type: 'close' });
    await new Promise((r) => child.once('exit', r));
  }
  const medians = options.entriesPerMessage.map((entriesPerMessage) => {
    const mine = cases.filter((c) => c.entriesPerMessage === entriesPerMessage);
    return {
      entriesPerMessage,
      messagesPerSecond: median(mine.map((c) => c.messagesPerSecond)),
      payloadMiBPerSecond: median(mine.map((c) => c.payloadMiBPerSecond)),
    };
  });
  return { name: 'transport', options, cases, medians, machine: machineFacts() };
}

function parseArgs(argv: string[]): TransportBenchOptions & { json: boolean } {
  const opts = { seconds: 3, rounds: 2, entriesPerMessage: [1, 64], entryBytes: 256, json: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    const positive = (v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n <= 0) throw new Error(`${arg} must be a positive integer, got "${v}"`);
      return n;
    };
    if (arg === '--json') opts.json = true;
    else if (arg === '--seconds') opts.seconds = positive(value());
    else if (arg === '--rounds') opts.rounds = positive(value());
    else if (arg === '--entry-bytes') opts.entryBytes = positive(value());
    else if (arg === '--entries') opts.entriesPerMessage = value().split(',').map(positive);
    else throw new Error(`unknown option ${arg}`);
  }
  return opts;
}

function printTable(result: TransportBenchResult, path: string): void {
  const out = (s: string) => process.stdout.write(s + '\n');
  out('entries x bytes  round  messages/s  entries/s   payload MiB/s  wire MiB/s  frames/s  dropped  cpu send/recv');
  for (const c of result.cases) {
    out([
      `${c.entriesPerMessage} x ${c.entryBytes} B`.padEnd(16), String(c.round).padStart(5),
      c.messagesPerSecond.toFixed(0).padStart(11), c.entriesPerSecond.toFixed(0).padStart(10),
      c.payloadMiBPerSecond.toFixed(1).padStart(15), c.wireMiBPerSecond.toFixed(1).padStart(11),
      c.framesPerSecond.toFixed(0).padStart(9), String(c.dropped).padStart(8),
      `${c.senderCpuPercent.toFixed(0)}% / ${c.receiverCpuPercent.toFixed(0)}%`.padStart(15),
    ].join(' '));
  }
  for (const m of result.medians) {
    out(`median ${m.entriesPerMessage} entries: ${m.messagesPerSecond.toFixed(0)} messages/s, ` +
      `${m.payloadMiBPerSecond.toFixed(1)} MiB/s of entry data`);
  }
  out(`json ${path}`);
}

async function main(): Promise<void> {
  if (process.argv.includes('--role=receiver')) {
    await runReceiver();
    return;
  }
  const { json, ...options } = parseArgs(process.argv.slice(2));
  const result = await runTransportBench(options);
  const path = writeResult('transport', result);
  if (json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  else printTable(result, path);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}

// Helpers shared by the transport's tests: a recording logger, polling, message factories
// and a started pair of transports on loopback.
import { createServer } from 'node:net';
import type { Message, NodeId } from '../raft/types.js';
import { EntryType, MessageType } from '../raft/types.js';
import type { TransportLimits } from './limits.js';
import type { TransportLogger } from './logger.js';
import { PeerTransport } from './transport.js';
import type { PeerTransportOptions } from './transport.js';

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  fields: Record<string, unknown>;
  message: string;
}

export class RecordingLogger implements TransportLogger {
  readonly lines: LogLine[] = [];
  readonly debug = this.#record('debug');
  readonly info = this.#record('info');
  readonly warn = this.#record('warn');
  readonly error = this.#record('error');

  #record(level: LogLine['level']) {
    return (fields: Record<string, unknown>, message: string) => {
      this.lines.push({ level, fields, message });
    };
  }

  /** Lines at `level` whose fields carry error code `code`. */
  withCode(level: LogLine['level'], code: string): LogLine[] {
    return this.lines.filter((l) => l.level === level && l.fields['code'] === code);
  }
}

export async function waitFor(cond: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function msg(type: MessageType, from: NodeId, to: NodeId, over: Partial<Message> = {}): Message {
  return {
    type, from, to, term: 1, logTerm: 0, index: 0, entries: [], commit: 0, reject: false, rejectHint: 0, ...over,
  };
}

export function appMsg(from: NodeId, to: NodeId, index: number, entries: number, entryBytes: number): Message {
  const data = new Uint8Array(entryBytes).fill(index & 0xff);
  return msg(MessageType.App, from, to, {
    index,
    entries: Array.from({ length: entries },
      (_, i) => ({ term: 1, index: index + 1 + i, type: EntryType.Normal, data })),
  });
}

/** Limits that make tests quick: fast reconnects and short waits. */
export const FAST_LIMITS: Partial<TransportLimits> = {
  backoffInitialMs: 10,
  backoffMaxMs: 100,
  dialTimeoutMs: 2_000,
  closeTimeoutMs: 500,
  pingIntervalMs: 1_000,
};

export interface Member {
  id: NodeId;
  transport: PeerTransport;
  received: Message[];
  unreachable: NodeId[];
  snapshotStatus: { id: NodeId; ok: boolean }[];
  logger: RecordingLogger;
}

export function member(id: NodeId, over: Partial<PeerTransportOptions> = {}): Member {
  const m: Member = {
    id, received: [], unreachable: [], snapshotStatus: [], logger: new RecordingLogger(),
    transport: undefined as unknown as PeerTransport,
  };
  m.transport = new PeerTransport({
    selfId: id,
    clusterId: 'test-cluster',
    listen: { host: '127.0.0.1', port: 0 },
    onMessage: (x) => m.received.push(x),
    onUnreachable: (p) => m.unreachable.push(p),
    onSnapshotStatus: (p, ok) => m.snapshotStatus.push({ id: p, ok }),
    logger: m.logger,
    limits: FAST_LIMITS,
    ...over,
  });
  return m;
}

/** Two started members that know each other, with both outbound connections open. */
export async function connectedPair(over: Partial<PeerTransportOptions> = {}): Promise<[Member, Member]> {
  const a = member('a', over);
  const b = member('b', over);
  await a.transport.start();
  await b.transport.start();
  a.transport.addPeer('b', b.transport.url);
  b.transport.addPeer('a', a.transport.url);
  await waitFor(() => a.transport.isConnected('b') && b.transport.isConnected('a'), 'a and b to connect');
  return [a, b];
}

/** A loopback port nothing listens on: bound once by us, then released. */
export async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

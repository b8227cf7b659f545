// The kubelet's exec endpoint (pkg/kubelet/server: /exec/{namespace}/{pod}/{container}) over
// WebSocket with the remotecommand channel protocols v5.channel.k8s.io and v4.channel.k8s.io
// (KEP-4006). The apiserver's pods/exec proxies `kubectl exec` here. Query as the kubelet takes it:
// `command` (repeated), `input`, `output`, `error`, `tty` ("1"/"true"). Every binary message starts
// with a channel byte: 0 stdin (client → us), 1 stdout, 2 stderr, 3 the final Status, 4 terminal
// resize (ignored: there is no pty); v5 adds 255 + channel, "this stream is closed" (kubectl sends
// it for stdin at EOF). The session ends with a metav1.Status on channel 3 — Success, or Failure
// with reason NonZeroExitCode and cause ExitCode — then a normal (1000) close, as the kubelet's
// streaming server does for v4+. Errors before the upgrade are plain text with an HTTP status.
import type http from 'node:http';
import type { Duplex, Readable } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { ExecOutcome, ExecSession } from '../runtime/index.js';
import type { Kubelet } from './kubelet.js';
import {
  EXEC_ARGS_MAX, EXEC_ARGS_MAX_BYTES, EXEC_MESSAGE_MAX_BYTES, EXEC_SEND_BUFFER_MAX_BYTES, EXEC_SESSIONS_MAX,
} from './limits.js';
import { findContainer } from './server.js';

/** Channel protocols served, best first (k8s.io/apimachinery/pkg/util/remotecommand). */
export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
export const CHANNEL = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

export interface ExecRequest {
  namespace: string;
  pod: string;
  container: string;
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

function flag(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v === '1' || v === 'true';
}

/** /exec/NS/POD/CONTAINER?command=...&input=1&output=1&error=1 → the request, or the 400 message. */
export function parseExecRequest(path: string, q: URLSearchParams): ExecRequest | string {
  const parts = path.slice('/exec/'.length).split('/');
  if (parts.length !== 3 || parts.some((p) => p === '')) return 'use /exec/{namespace}/{pod}/{container}?command=...';
  const [namespace, pod, container] = parts.map((p) => decodeURIComponent(p)) as [string, string, string];
  const command = q.getAll('command');
  if (command.length === 0) return 'you must specify at least one command for the container';
  if (command.length > EXEC_ARGS_MAX || command.reduce((n, a) => n + Buffer.byteLength(a), 0) > EXEC_ARGS_MAX_BYTES) {
    return `the command is longer than ${EXEC_ARGS_MAX} arguments or ${EXEC_ARGS_MAX_BYTES} bytes`;
  }
  const tty = flag(q, 'tty');
  const r = { namespace, pod, container, command, stdin: flag(q, 'input'), stdout: flag(q, 'output'),
    // With a tty, stderr is merged into stdout (Kubernetes drops the stderr stream).
    stderr: flag(q, 'error') && !tty, tty };
  if (!r.stdin && !r.stdout && !r.stderr) return 'you must specify at least 1 of stdin, stdout, stderr';
  return r;
}

/** The metav1.Status the client decodes from channel 3 (remotecommand errorDecoderV4). */
export function exitStatus(command: string[], outcome: ExecOutcome): Record<string, unknown> {
  if ('startError' in outcome) {
    return { metadata: {}, status: 'Failure', code: 500, reason: 'InternalError',
      message: `Internal error occurred: error executing command in container: ${outcome.startError}` };
  }
  if (outcome.exitCode === 0) return { metadata: {}, status: 'Success' };
  return { metadata: {}, status: 'Failure', reason: 'NonZeroExitCode',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], ` +
      `exit code ${outcome.exitCode}`,
    details: { causes: [{ reason: 'ExitCode', message: String(outcome.exitCode) }] } };
}

function reject(socket: Duplex, code: number, message: string): void {
  const body = `${message}\n`;
  const reason = code === 404 ? 'Not Found' : code === 429 ? 'Too Many Requests' : 'Bad Request';
  socket.end(`HTTP/1.1 ${code} ${reason}\r\nContent-Type: text/plain; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** Copies a command's output onto its channel, pausing it while the socket's send buffer is full. */
function pump(ws: WebSocket, from: Readable | null, channel: number): Promise<void> {
  if (from === null) return Promise.resolve();
  return new Promise((resolve) => {
    from.on('data', (chunk: Buffer) => {
      if (ws.readyState !== WebSocket.OPEN) return;
      ws.send(Buffer.concat([Buffer.of(channel), chunk]), { binary: true }, () => {
        if (from.isPaused() && ws.bufferedAmount < EXEC_SEND_BUFFER_MAX_BYTES) from.resume();
      });
      if (ws.bufferedAmount >= EXEC_SEND_BUFFER_MAX_BYTES) from.pause();
    });
    from.once('close', resolve);
    from.once('error', () => resolve());
  });
}

/** Client → command: stdin bytes, stdin closed (v5), resize (ignored). Pauses the socket while stdin is full. */
function onClientMessage(ws: WebSocket, session: ExecSession, data: Buffer): void {
  const channel = data[0];
  const stdin = session.stdin;
  if (channel === CHANNEL.stdin && stdin !== null && data.length > 1) {
    if (!stdin.writableEnded && !stdin.write(data.subarray(1))) {
      ws.pause();
      stdin.once('drain', () => ws.resume());
    }
  } else if (channel === CHANNEL.close && data[1] === CHANNEL.stdin && stdin !== null) {
    stdin.end();
  }
}

function runSession(ws: WebSocket, session: ExecSession, r: ExecRequest, release: () => void): void {
  ws.on('message', (data: Buffer, isBinary) => {
    if (isBinary) onClientMessage(ws, session, data);
  });
  // The client went away first: nobody reads the output any more, so the command is killed.
  ws.once('close', () => {
    session.kill();
    session.stdin?.destroy();
  });
  ws.on('error', () => ws.terminate());
  const copied = Promise.all([pump(ws, session.stdout, CHANNEL.stdout), pump(ws, session.stderr, CHANNEL.stderr)]);
  void Promise.all([session.done, copied]).then(([outcome]) => {
    if (ws.readyState === WebSocket.OPEN) {
      const status = Buffer.from(JSON.stringify(exitStatus(r.command, outcome)));
      ws.send(Buffer.concat([Buffer.of(CHANNEL.error), status]), { binary: true });
      ws.close(1000);
    }
  }).finally(release);
}

/** A session whose command could not start: no streams, the error as its outcome. */
function failedSession(message: string): ExecSession {
  const done = Promise.resolve({ startError: message });
  return { stdin: null, stdout: null, stderr: null, done, kill: () => undefined };
}

/** Serves the HTTP `upgrade` requests of the kubelet's server: /exec only. */
export class ExecServer {
  readonly #k: Kubelet;
  readonly #wss: WebSocketServer;
  readonly #chosen = new WeakMap<http.IncomingMessage, string>();
  #sessions = 0;

  constructor(k: Kubelet) {
    this.#k = k;
    this.#wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: EXEC_MESSAGE_MAX_BYTES,
      handleProtocols: (_offered, req) => this.#chosen.get(req) ?? false });
  }

  get sessions(): number {
    return this.#sessions;
  }

  upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://kubelet');
    if (!url.pathname.startsWith('/exec/')) return reject(socket, 404, `${url.pathname} cannot be upgraded`);
    const r = parseExecRequest(url.pathname, url.searchParams);
    if (typeof r === 'string') return reject(socket, 400, r);
    const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    const protocol = EXEC_PROTOCOLS.find((p) => offered.includes(p));
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket' || protocol === undefined) {
      return reject(socket, 400, `exec needs a WebSocket upgrade with subprotocol ${EXEC_PROTOCOLS.join(' or ')}`);
    }
    const found = findContainer(this.#k, r.namespace, r.pod, r.container, false);
    if ('code' in found) return reject(socket, found.code, found.message);
    if (this.#k.runtime.containerStatus(found.id)?.state !== 'running') {
      return reject(socket, 400, `container "${r.container}" in pod "${r.pod}" is not running`);
    }
    if (this.#sessions >= EXEC_SESSIONS_MAX) {
      return reject(socket, 429, `more than ${EXEC_SESSIONS_MAX} exec sessions are open on this node; try again later`);
    }
    this.#chosen.set(req, protocol);
    // Without verifyClient ws completes the handshake synchronously, so the count below is exact.
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      this.#sessions++;
      let session: ExecSession;
      try {
        session = this.#k.runtime.execStream(found.id, r.command, r);
      } catch (e) {
        // The container stopped between the check and the upgrade: the Status says so on channel 3.
        session = failedSession((e as Error).message);
      }
      runSession(ws, session, r, () => this.#sessions--);
    });
  }

  close(): void {
    for (const ws of this.#wss.clients) ws.terminate();
    this.#wss.close();
  }
}

// pods/exec over WebSocket, as kube-apiserver 1.30+ serves `kubectl exec` (KEP-4006): the client
// upgrades GET .../pods/NAME/exec?command=...&container=...&stdin=&stdout=&stderr=&tty= with
// subprotocol v5.channel.k8s.io; the apiserver (after authentication and RBAC `create` on
// pods/exec, done by the server) checks the pod and container, opens the same upgrade to the
// kubelet of the pod's node (/exec/NS/POD/CONTAINER on status.addresses' InternalIP and
// daemonEndpoints.kubeletEndpoint.Port, the kubelet's own query names input/output/error/tty),
// answers the client's handshake with the protocol the kubelet chose, and then passes messages
// through unchanged in both directions (each starts with its channel byte), with bounded send
// buffers, closing both sides together. Errors before the upgrade are Status JSON with their
// HTTP code (kubectl then also tries SPDY, gets the same answer, and prints it).
import http, { type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import {
  badRequest, findResource, type JsonObject, notFound, serviceUnavailable, type Status, tooManyRequests,
} from '../../api/index.js';
import type { RequestInfo } from '../auth/index.js';
import type { HandlerDeps } from './deps.js';

/** Bounds of exec proxying; the kubelet has its own (node-agent/kubelet/limits.ts). */
export const EXEC_LIMITS = {
  /** Channel protocols passed on, best first (k8s.io/apimachinery/pkg/util/remotecommand). */
  protocols: ['v5.channel.k8s.io', 'v4.channel.k8s.io'],
  /** Largest message either side may send (kubectl sends stdin in 32 KiB messages). */
  messageMaxBytes: 1024 * 1024,
  /** Bytes queued towards one side before the other side is no longer read. */
  sendBufferMaxBytes: 1024 * 1024,
  /** The kubelet must answer the upgrade within this. */
  kubeletHandshakeMs: 10_000,
  /** A kubelet's refusal is read up to this many bytes. */
  kubeletErrorMaxBytes: 4096,
  /** Open exec sessions per apiserver. */
  sessionsMax: 1024,
} as const;

const PODS = findResource('', 'pods')!;
const NODES = findResource('', 'nodes')!;
const PODS_GR = { group: '', resource: 'pods' };

/** Answers an upgrade request with a Status instead of 101, and closes the connection. */
export function rejectUpgrade(socket: Duplex, s: Status): void {
  if (socket.destroyed) return;
  const body = JSON.stringify(s);
  socket.end(`HTTP/1.1 ${s.code} ${http.STATUS_CODES[s.code] ?? 'Error'}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

function allContainers(pod: JsonObject): string[] {
  const spec = (pod['spec'] ?? {}) as JsonObject;
  return ['initContainers', 'containers', 'ephemeralContainers']
    .flatMap((f) => ((spec[f] ?? []) as JsonObject[]).map((c) => String(c['name'])));
}

/** The container named by the request, defaulted when the pod has one (streamLocation's checks). */
function pickContainer(pod: JsonObject, name: string, asked: string): string | Status {
  const spec = (pod['spec'] ?? {}) as JsonObject;
  const names = ((spec['containers'] ?? []) as JsonObject[]).map((c) => String(c['name']));
  if (asked === '') {
    if (names.length === 1) return names[0]!;
    return badRequest(`a container name must be specified for pod ${name}, choose one of: [${names.join(' ')}]`);
  }
  if (!allContainers(pod).includes(asked)) return badRequest(`container ${asked} is not valid for pod ${name}`);
  return asked;
}

/** host:port of the kubelet serving the pod, or the Status saying why there is none. */
export async function kubeletOf(d: HandlerDeps, pod: JsonObject, name: string): Promise<string | Status> {
  const nodeName = String(((pod['spec'] ?? {}) as JsonObject)['nodeName'] ?? '');
  if (nodeName === '') return badRequest(`pod ${name} does not have a host assigned`);
  const key = d.keys.objectKey(NODES, '', nodeName);
  const node = d.cacher.cache(NODES).getByKey(key)?.object ?? (await d.store.get(key))?.object;
  const status = (node?.['status'] ?? {}) as JsonObject;
  const address = ((status['addresses'] ?? []) as JsonObject[]).find((a) => a['type'] === 'InternalIP')?.['address'];
  const port = ((((status['daemonEndpoints'] ?? {}) as JsonObject)['kubeletEndpoint'] ?? {}) as JsonObject)['Port'];
  if (typeof address !== 'string' || typeof port !== 'number' || port === 0) {
    return serviceUnavailable(`node ${nodeName} does not report a kubelet endpoint`);
  }
  return `${address.includes(':') ? `[${address}]` : address}:${port}`;
}

function isTrue(q: URLSearchParams, k: string): boolean {
  const v = q.get(k);
  return v === 'true' || v === '1';
}

/** The kubelet URL for an exec request, or the Status refusing it. */
async function execTarget(d: HandlerDeps, info: RequestInfo, q: URLSearchParams): Promise<string | Status> {
  const command = q.getAll('command');
  if (command.length === 0) return badRequest('you must specify at least one command for the container');
  if (!isTrue(q, 'stdin') && !isTrue(q, 'stdout') && !isTrue(q, 'stderr')) {
    return badRequest('you must specify at least 1 of stdin, stdout, stderr');
  }
  const name = info.name;
  const pod = (await d.store.get(d.keys.objectKey(PODS, info.namespace, name)))?.object;
  if (!pod) return notFound(PODS_GR, name);
  const container = pickContainer(pod, name, q.get('container') ?? '');
  if (typeof container !== 'string') return container;
  const phase = ((pod['status'] ?? {}) as JsonObject)['phase'];
  if (phase === 'Succeeded' || phase === 'Failed') {
    return badRequest(`cannot exec into a container in a completed pod; current phase is ${String(phase)}`);
  }
  const kubelet = await kubeletOf(d, pod, name);
  if (typeof kubelet !== 'string') return kubelet;
  const up = new URLSearchParams();
  for (const c of command) up.append('command', c);
  for (const [ours, theirs] of [['stdin', 'input'], ['stdout', 'output'], ['stderr', 'error'], ['tty', 'tty']]) {
    if (isTrue(q, ours!)) up.set(theirs!, '1');
  }
  const path = [info.namespace, name, container].map((p) => encodeURIComponent(p)).join('/');
  return `ws://${kubelet}/exec/${path}?${up.toString()}`;
}

/** A kubelet's refusal (plain text with an HTTP code) as the Status the client sees. */
function kubeletRefusal(code: number, text: string, name: string): Status {
  if (code === 404) return notFound(PODS_GR, name);
  if (code === 429) return tooManyRequests(text, 1);
  return badRequest(text || `the kubelet answered ${code}`);
}

/** Passes `from`'s messages to `to`; stops reading `from` while `to` has too much queued. */
function forward(from: WebSocket, to: WebSocket): void {
  from.on('message', (data: Buffer, isBinary: boolean) => {
    if (to.readyState !== WebSocket.OPEN) return;
    to.send(data, { binary: isBinary }, () => {
      if (from.isPaused && to.bufferedAmount < EXEC_LIMITS.sendBufferMaxBytes) from.resume();
    });
    if (to.bufferedAmount >= EXEC_LIMITS.sendBufferMaxBytes) from.pause();
  });
  // One side closing closes the other with the same code: the kubelet's normal close after the
  // Status on channel 3 is what tells kubectl the streams are complete.
  from.once('close', (code: number) => {
    if (to.readyState === WebSocket.CLOSED || to.readyState === WebSocket.CLOSING) return;
    if (code === 1000 || (code >= 3000 && code < 5000) || (code > 1000 && code < 1004) || code === 1011) to.close(code);
    else to.terminate();
  });
  from.on('error', () => from.terminate());
}

export class StreamProxy {
  readonly #wss = new WebSocketServer({ noServer: true, perMessageDeflate: false,
    maxPayload: EXEC_LIMITS.messageMaxBytes, handleProtocols: (_o, req) => this.#chosen.get(req) ?? false });
  readonly #chosen = new WeakMap<IncomingMessage, string>();
  readonly #open = new Set<() => void>();

  get sessions(): number {
    return this.#open.size;
  }

  /** pods/exec upgrade, already authenticated and authorized. */
  async exec(d: HandlerDeps, info: RequestInfo, url: URL, req: IncomingMessage, socket: Duplex, head: Buffer):
    Promise<void> {
    const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    const protocols = EXEC_LIMITS.protocols.filter((p) => offered.includes(p));
    const target = await execTarget(d, info, url.searchParams);
    if (typeof target !== 'string') return rejectUpgrade(socket, target);
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket' || protocols.length === 0) {
      return rejectUpgrade(socket, badRequest('exec is served over WebSocket with subprotocol ' +
        `${EXEC_LIMITS.protocols.join(' or ')} (kubectl 1.30 or later); SPDY is not supported`));
    }
    if (this.#open.size >= EXEC_LIMITS.sessionsMax) {
      return rejectUpgrade(socket, tooManyRequests('too many exec sessions are open, please try again later', 1));
    }
    this.#splice(req, socket, head, target, protocols, info.name);
  }

  #splice(req: IncomingMessage, socket: Duplex, head: Buffer, target: string, protocols: string[], pod: string): void {
    const upstream = new WebSocket(target, protocols, { perMessageDeflate: false,
      maxPayload: EXEC_LIMITS.messageMaxBytes, handshakeTimeout: EXEC_LIMITS.kubeletHandshakeMs });
    let opened = false;
    let refused = false;
    let accepted = false;
    // Until the client's handshake is answered, a failure is told to it as a Status; after that, by closing.
    const refuse = (st: Status): void => {
      if (opened || refused) return;
      refused = true;
      rejectUpgrade(socket, st);
    };
    socket.once('close', () => {
      if (!accepted) upstream.terminate();
    });
    upstream.on('error', (e) => refuse(serviceUnavailable(`cannot reach the kubelet: ${e.message}`)));
    upstream.once('unexpected-response', (_r, res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text = (text + c).slice(0, EXEC_LIMITS.kubeletErrorMaxBytes)));
      res.once('end', () => {
        refuse(kubeletRefusal(res.statusCode ?? 502, text.trim(), pod));
        upstream.terminate();
      });
      res.once('error', () => refuse(serviceUnavailable('the kubelet closed the connection')));
    });
    upstream.once('open', () => {
      opened = true;
      this.#chosen.set(req, upstream.protocol);
      // ws completes a handshake synchronously (no verifyClient); a refused one closes the socket.
      this.#wss.handleUpgrade(req, socket, head, (client) => {
        accepted = true;
        const close = (): void => {
          client.terminate();
          upstream.terminate();
        };
        this.#open.add(close);
        client.once('close', () => this.#open.delete(close));
        forward(upstream, client);
        forward(client, upstream);
      });
      if (!accepted) upstream.terminate();
    });
  }

  /** Ends every session (apiserver shutdown). */
  close(): void {
    for (const close of [...this.#open]) close();
    this.#wss.close();
  }
}

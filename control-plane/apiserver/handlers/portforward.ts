// pods/portforward, as kube-apiserver serves `kubectl port-forward`. kubectl 1.31+ first upgrades
// GET .../pods/NAME/portforward to a WebSocket with subprotocol SPDY/3.1+portforward.k8s.io and
// then runs SPDY/3.1 inside binary messages (KEP-4006 "PortForwardWebsockets", client-go
// tools/portforward tunneling_dialer.go); when that upgrade fails it falls back to a plain
// `Upgrade: SPDY/3.1` with X-Stream-Protocol-Version portforward.k8s.io. Both are served here.
// Authentication and RBAC (`create` on pods/portforward) are done by server.ts.
//
// Unlike kube-apiserver, which relays the SPDY connection itself to the kubelet, Flotilla ends SPDY
// here (spdy/port-forward-session.ts) and opens one plain byte relay per forwarded connection to the
// pod's kubelet: a WebSocket to /portForward/NS/POD?port=N&uid=UID (node-agent/kubelet/port-forward.ts)
// whose binary messages are the bytes (an empty one from us: the client has finished sending), whose
// text messages are an error to show, and whose close ends the connection. So the kubelet needs no
// SPDY, and each forwarded connection has its own backpressure towards the pod.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import {
  badRequest, findResource, type JsonObject, notFound, type Status, tooManyRequests,
} from '../../api/index.js';
import type { RequestInfo } from '../auth/index.js';
import { PORT_FORWARD_LIMITS as L } from '../limits.js';
import { type DialRelay, PortForwardSession, type Relay, type RelayEvents, type Transport } from '../spdy/port-forward-session.js';
import type { HandlerDeps } from './deps.js';
import { kubeletOf, rejectUpgrade } from './exec.js';

/** The port-forward protocol (k8s.io/apimachinery/pkg/util/portforward: PortForwardProtocolV1Name). */
export const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';
/** What kubectl offers for SPDY tunnelled through a WebSocket (WebsocketsSPDYTunnelingPrefix + protocol). */
export const TUNNEL_PROTOCOL = `SPDY/3.1+${PORT_FORWARD_PROTOCOL}`;

const PODS = findResource('', 'pods')!;
const NODES = findResource('', 'nodes')!;
const PODS_GR = { group: '', resource: 'pods' };

interface Target {
  kubelet: string;
  namespace: string;
  pod: string;
  uid: string;
}

/** Where the pod's connections go, or the Status refusing the request (sent before any upgrade). */
async function portForwardTarget(d: HandlerDeps, info: RequestInfo): Promise<Target | Status> {
  const name = info.name;
  const pod = (await d.store.get(d.keys.objectKey(PODS, info.namespace, name)))?.object;
  if (!pod) return notFound(PODS_GR, name);
  const phase = ((pod['status'] ?? {}) as JsonObject)['phase'];
  if (phase === 'Succeeded' || phase === 'Failed') {
    return badRequest(`cannot port-forward to a completed pod; current phase is ${String(phase)}`);
  }
  const nodeName = String(((pod['spec'] ?? {}) as JsonObject)['nodeName'] ?? '');
  if (nodeName !== '') {
    const key = d.keys.objectKey(NODES, '', nodeName);
    const node = d.cacher.cache(NODES).getByKey(key)?.object ?? (await d.store.get(key))?.object;
    const nodeInfo = (((node?.['status'] ?? {}) as JsonObject)['nodeInfo'] ?? {}) as JsonObject;
    if (String(nodeInfo['containerRuntimeVersion'] ?? '').startsWith('flotilla-simulated')) {
      return badRequest(`pod ${name} runs on simulated node ${nodeName}: simulated pods have no process, ` +
        'so there is no port to forward to');
    }
  }
  const kubelet = await kubeletOf(d, pod, name);
  if (typeof kubelet !== 'string') return kubelet;
  const uid = String(((pod['metadata'] ?? {}) as JsonObject)['uid'] ?? '');
  return { kubelet, namespace: info.namespace, pod: name, uid };
}

/** One forwarded connection: a WebSocket to the kubelet's /portForward relay. */
function kubeletRelay(t: Target, port: number, ev: RelayEvents): Relay {
  const path = `${encodeURIComponent(t.namespace)}/${encodeURIComponent(t.pod)}`;
  const ws = new WebSocket(`ws://${t.kubelet}/portForward/${path}?port=${port}&uid=${encodeURIComponent(t.uid)}`, {
    perMessageDeflate: false, maxPayload: L.frameMaxBytes, handshakeTimeout: L.kubeletHandshakeMs,
  });
  const prefix = `error forwarding port ${port} to pod ${t.namespace}/${t.pod}, uid ${t.uid}`;
  let error = '';
  let ended = false;
  const pending: Buffer[] = [];
  let pendingBytes = 0;
  ws.on('unexpected-response', (_req, res) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (c: string) => (text = (text + c).slice(0, L.errorMessageMaxBytes)));
    res.once('end', () => {
      error ||= text.trim() || `${prefix}: the kubelet answered ${res.statusCode}`;
      ws.terminate();
    });
    res.once('error', () => ws.terminate());
  });
  ws.on('error', (e) => {
    error ||= `${prefix}: cannot reach the kubelet at ${t.kubelet}: ${e.message}`;
  });
  ws.on('open', () => {
    for (const b of pending) ws.send(b, sent);
    pending.length = 0;
    pendingBytes = 0;
    if (ended) ws.send(Buffer.alloc(0));
  });
  const sent = (): void => {
    if (ws.bufferedAmount < L.sendBufferMaxBytes) ev.writable();
  };
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (!isBinary) {
      error = (error + data.toString('utf8')).slice(0, L.errorMessageMaxBytes);
    } else if (!ev.data(data)) {
      ws.pause();
      ev.whenDrained(() => ws.resume());
    }
  });
  ws.once('close', () => ev.done(error));
  return {
    write(bytes) {
      if (ws.readyState === WebSocket.CONNECTING) {
        pending.push(bytes);
        pendingBytes += bytes.length;
        return pendingBytes < L.sendBufferMaxBytes;
      }
      if (ws.readyState !== WebSocket.OPEN) return true;
      ws.send(bytes, sent);
      return ws.bufferedAmount < L.sendBufferMaxBytes;
    },
    end() {
      ended = true;
      if (ws.readyState === WebSocket.OPEN) ws.send(Buffer.alloc(0));
    },
    close() {
      ws.terminate();
    },
  };
}

function wsTransport(ws: WebSocket, session: () => PortForwardSession): Transport {
  return {
    send(bytes) {
      if (ws.readyState !== WebSocket.OPEN) return;
      ws.send(bytes, { binary: true }, () => {
        if (ws.bufferedAmount < L.sendBufferMaxBytes) session().drained();
      });
    },
    get bufferedBytes() {
      return ws.bufferedAmount;
    },
    pause: () => ws.pause(),
    resume: () => ws.resume(),
    close: () => ws.close(1000),
  };
}

function socketTransport(socket: Duplex, session: () => PortForwardSession): Transport {
  socket.on('drain', () => session().drained());
  return {
    send(bytes) {
      if (!socket.destroyed) socket.write(bytes);
    },
    get bufferedBytes() {
      return socket.writableLength;
    },
    pause: () => socket.pause(),
    resume: () => socket.resume(),
    close: () => socket.end(),
  };
}

export class PortForwardProxy {
  readonly #wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: L.frameMaxBytes });
  readonly #open = new Set<PortForwardSession>();
  /** Upgrades to answer with the tunnel subprotocol (see `portForward`). */
  readonly #tunnels = new WeakSet<IncomingMessage>();

  constructor() {
    this.#wss.on('headers', (headers: string[], req: IncomingMessage) => {
      if (this.#tunnels.has(req)) headers.push(`Sec-WebSocket-Protocol: ${TUNNEL_PROTOCOL}`);
    });
  }

  get sessions(): number {
    return this.#open.size;
  }

  /** pods/portforward upgrade, already authenticated and authorized. */
  async portForward(d: HandlerDeps, info: RequestInfo, req: IncomingMessage, socket: Duplex, head: Buffer):
    Promise<void> {
    const target = await portForwardTarget(d, info);
    if ('code' in target) return rejectUpgrade(socket, target);
    const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
    const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    const spdyVersions = String(req.headers['x-stream-protocol-version'] ?? '').split(',').map((p) => p.trim());
    const tunnelled = upgrade === 'websocket' && offered.includes(TUNNEL_PROTOCOL);
    if (!tunnelled && !(upgrade === 'spdy/3.1' && spdyVersions.includes(PORT_FORWARD_PROTOCOL))) {
      return rejectUpgrade(socket, badRequest(`port-forward is served over a WebSocket with subprotocol ` +
        `${TUNNEL_PROTOCOL} (kubectl 1.31 or later), or an upgrade to SPDY/3.1 with X-Stream-Protocol-Version ` +
        PORT_FORWARD_PROTOCOL));
    }
    if (this.#open.size >= L.sessionsMax) {
      return rejectUpgrade(socket, tooManyRequests('too many port-forward connections are open, please try again later', 1));
    }
    const dial: DialRelay = (port, ev) => kubeletRelay(target, port, ev);
    let session: PortForwardSession | undefined;
    const start = (t: Transport): PortForwardSession => {
      const s = new PortForwardSession(t, dial, L, () => this.#open.delete(s));
      this.#open.add(s);
      return s;
    };
    if (tunnelled) {
      // ws refuses a Sec-WebSocket-Protocol that is not an RFC 7230 token, and "/" is not a token
      // character: the header is taken away before ws sees it and the answer is added on 'headers'.
      delete req.headers['sec-websocket-protocol'];
      this.#tunnels.add(req);
      this.#wss.handleUpgrade(req, socket, head, (ws) => {
        const s = start(wsTransport(ws, () => s));
        session = s;
        ws.on('message', (data: Buffer, isBinary: boolean) => {
          // The tunnel carries SPDY bytes in binary messages only (client-go TunnelingConnection).
          if (isBinary) s.receive(data);
          else s.close();
        });
        ws.once('close', () => s.close());
        ws.on('error', () => ws.terminate());
      });
      return;
    }
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n` +
      `X-Stream-Protocol-Version: ${PORT_FORWARD_PROTOCOL}\r\n\r\n`);
    session = start(socketTransport(socket, () => session!));
    const s = session;
    socket.on('data', (c: Buffer) => s.receive(c));
    socket.once('close', () => s.close());
    socket.once('end', () => s.close());
    if (head.length > 0) s.receive(head);
  }

  /** Ends every session (apiserver shutdown). */
  close(): void {
    for (const s of [...this.#open]) s.close();
    this.#wss.close();
  }
}

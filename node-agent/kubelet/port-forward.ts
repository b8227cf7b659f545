// The kubelet's port-forward relay. Kubernetes' kubelet serves /portForward/{namespace}/{pod} with
// the SPDY portforward.k8s.io protocol and connects inside the pod's network namespace; Flotilla's
// apiserver ends SPDY itself (control-plane/apiserver/spdy/) and asks the kubelet for ONE forwarded
// connection at a time: a WebSocket upgrade of GET /portForward/NS/POD?port=N[&uid=UID]. The kubelet
// connects to the pod's IP (each pod of the process runtime has its own 127.x.y.z) at that port
// BEFORE answering the upgrade, so a refused port is a plain HTTP error whose text the apiserver
// shows on kubectl's error stream. Then:
//   - binary messages from the apiserver are bytes for the pod; an empty one: the client has finished
//     sending (we half-close the pod connection);
//   - binary messages to the apiserver are the pod's bytes; a text message is an error to show;
//   - when the pod closes its side (or the connection fails) the kubelet closes the WebSocket, normally
//     (1000): that ends the forwarded connection, as the kubelet's does when the pod's side is done.
// Errors read like the kubelet's: "error forwarding port 8080 to pod NS/NAME, uid UID: <why>".
import type http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { Kubelet } from './kubelet.js';
import {
  PORT_FORWARD_CONNECT_TIMEOUT_MS, PORT_FORWARD_CONNECTIONS_MAX, PORT_FORWARD_MESSAGE_MAX_BYTES,
  PORT_FORWARD_SEND_BUFFER_MAX_BYTES,
} from './limits.js';

export interface PortForwardRequest {
  namespace: string;
  pod: string;
  port: number;
  /** When given, the pod must have this UID (not a new pod of the same name). */
  uid: string | undefined;
}

/** /portForward/NS/POD?port=N&uid=U → the request, or the 400 message. */
export function parsePortForwardRequest(path: string, q: URLSearchParams): PortForwardRequest | string {
  const parts = path.slice('/portForward/'.length).split('/');
  if (parts.length !== 2 || parts.some((p) => p === '')) return 'use /portForward/{namespace}/{pod}?port=N';
  const [namespace, pod] = parts.map((p) => decodeURIComponent(p)) as [string, string];
  const portText = q.get('port') ?? '';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) return `invalid port "${portText}": use 1-65535`;
  const uid = q.get('uid');
  return { namespace, pod, port, uid: uid === null || uid === '' ? undefined : uid };
}

function reject(socket: Duplex, code: number, message: string): void {
  const body = `${message}\n`;
  const reason = { 400: 'Bad Request', 404: 'Not Found', 429: 'Too Many Requests' }[code] ?? 'Bad Gateway';
  socket.end(`HTTP/1.1 ${code} ${reason}\r\nContent-Type: text/plain; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** Pipes one pod connection and one WebSocket, each direction paused while the other side is full. */
function relay(ws: WebSocket, conn: net.Socket, errorPrefix: string): void {
  conn.on('data', (chunk: Buffer) => {
    if (ws.readyState !== WebSocket.OPEN) return;
    ws.send(chunk, { binary: true }, () => {
      if (conn.isPaused() && ws.bufferedAmount < PORT_FORWARD_SEND_BUFFER_MAX_BYTES) conn.resume();
    });
    if (ws.bufferedAmount >= PORT_FORWARD_SEND_BUFFER_MAX_BYTES) conn.pause();
  });
  // The pod is done sending: close normally after what is queued (ws sends frames in order).
  conn.once('end', () => {
    if (ws.readyState === WebSocket.OPEN) ws.close(1000);
  });
  conn.on('error', (e) => {
    if (ws.readyState === WebSocket.OPEN) {
      ws.send(`${errorPrefix}: ${e.message}`);
      ws.close(1000);
    }
  });
  conn.once('close', () => {
    if (ws.readyState === WebSocket.OPEN) ws.close(1000);
  });
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (!isBinary) return;
    if (data.length === 0) {
      conn.end(); // the client finished sending: half-close towards the pod
    } else if (!conn.write(data)) {
      ws.pause();
      conn.once('drain', () => ws.resume());
    }
  });
  ws.once('close', () => conn.destroy());
  ws.on('error', () => ws.terminate());
}

/** Serves the kubelet server's /portForward upgrades. */
export class PortForwardServer {
  readonly #k: Kubelet;
  readonly #wss = new WebSocketServer({ noServer: true, perMessageDeflate: false,
    maxPayload: PORT_FORWARD_MESSAGE_MAX_BYTES });
  #connections = 0;

  constructor(k: Kubelet) {
    this.#k = k;
  }

  get connections(): number {
    return this.#connections;
  }

  upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://kubelet');
    const r = parsePortForwardRequest(url.pathname, url.searchParams);
    if (typeof r === 'string') return reject(socket, 400, r);
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
      return reject(socket, 400, 'port-forward needs a WebSocket upgrade');
    }
    const w = this.#k.workerByName(r.namespace, r.pod);
    const sandbox = w?.sandbox;
    if (w === undefined || sandbox === undefined || (r.uid !== undefined && sandbox.uid !== r.uid)) {
      return reject(socket, 404, `pod "${r.pod}" in namespace "${r.namespace}" not found on node ${this.#k.nodeName}`);
    }
    if (this.#connections >= PORT_FORWARD_CONNECTIONS_MAX) {
      return reject(socket, 429, `more than ${PORT_FORWARD_CONNECTIONS_MAX} port-forward connections are open ` +
        'on this node; try again later');
    }
    const prefix = `error forwarding port ${r.port} to pod ${r.namespace}/${r.pod}, uid ${sandbox.uid}`;
    this.#connections++;
    let counted = true;
    const release = (): void => {
      if (counted) this.#connections--;
      counted = false;
    };
    // allowHalfOpen: the client's end and the pod's end are separate events (a half-closed request
    // still gets its answer).
    const conn = net.connect({ host: sandbox.ip, port: r.port, allowHalfOpen: true,
      timeout: PORT_FORWARD_CONNECT_TIMEOUT_MS });
    const failed = (message: string): void => {
      release();
      conn.destroy();
      if (!socket.destroyed) reject(socket, 502, `${prefix}: ${message}`);
    };
    conn.once('timeout', () => failed(`connecting to ${sandbox.ip}:${r.port} timed out`));
    conn.once('error', (e) => failed(e.message));
    socket.once('close', () => {
      if (conn.connecting) failed('the client went away');
    });
    conn.once('connect', () => {
      conn.removeAllListeners('error');
      conn.removeAllListeners('timeout');
      conn.setTimeout(0);
      let accepted = false;
      this.#wss.handleUpgrade(req, socket, head, (ws) => {
        accepted = true;
        ws.once('close', release);
        relay(ws, conn, prefix);
      });
      // ws answers synchronously (no verifyClient); a socket that went away in the meantime is dropped.
      if (!accepted) {
        release();
        conn.destroy();
      }
    });
  }

  close(): void {
    for (const ws of this.#wss.clients) ws.terminate();
    this.#wss.close();
  }
}

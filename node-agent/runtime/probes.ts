// Container probes as the kubelet runs them (pkg/kubelet/prober): a worker per container and
// probe type runs the probe every periodSeconds and turns raw results into the cached result
// only after successThreshold successes or failureThreshold failures in a row. Readiness
// starts as failure, liveness as success, startup as failure; liveness and readiness wait
// until the startup probe has succeeded; nothing is probed before initialDelaySeconds; a
// liveness or startup failure puts the worker on hold until the container is restarted.
import http from 'node:http';
import net from 'node:net';
import type { ContainerPort, IntOrString, Probe, ProbeHandler } from '../../control-plane/api/index.js';
import { systemClock, type Clock } from './clock.js';
import { PROBE_OUTPUT_MAX_BYTES } from './limits.js';
import type { ExecResult } from './types.js';

export type ProbeType = 'liveness' | 'readiness' | 'startup';

export interface ProbeOutcome {
  success: boolean;
  /** Why, for the event the kubelet records ("Liveness probe failed: ..."). */
  output: string;
}

export interface ProbeContext {
  podIP: string;
  ports: readonly ContainerPort[];
  /** Runs a command in the container (ContainerRuntime.exec bound to the container id). */
  exec?: (command: string[], timeoutMs: number) => Promise<ExecResult>;
}

/** A port number, or a named container port resolved through the container's ports. */
export function resolveProbePort(port: IntOrString, ports: readonly ContainerPort[]): number | undefined {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  return ports.find((p) => p.name === port)?.containerPort;
}

function httpProbe(h: NonNullable<ProbeHandler['httpGet']>, ctx: ProbeContext, timeoutMs: number): Promise<ProbeOutcome> {
  const port = resolveProbePort(h.port, ctx.ports);
  if (port === undefined) return Promise.resolve({ success: false, output: `unknown port ${String(h.port)}` });
  if ((h.scheme ?? 'HTTP').toUpperCase() !== 'HTTP') {
    return Promise.resolve({ success: false, output: `scheme ${h.scheme} is not supported by this node agent` });
  }
  const headers: Record<string, string> = { 'user-agent': 'kube-probe/1.32', accept: '*/*' };
  for (const x of h.httpHeaders ?? []) headers[x.name.toLowerCase()] = x.value;
  return new Promise((resolve) => {
    const req = http.get({ host: h.host ?? ctx.podIP, port, path: h.path ?? '/', headers, timeout: timeoutMs }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => {
        if (body.length < PROBE_OUTPUT_MAX_BYTES) body += d.toString().slice(0, PROBE_OUTPUT_MAX_BYTES - body.length);
      });
      res.on('end', () => {
        const code = res.statusCode ?? 0;
        // prober/http: 200 <= code < 400 is success (redirects are not followed here).
        resolve({ success: code >= 200 && code < 400, output: `HTTP probe ${code >= 200 && code < 400 ? 'succeeded' :
          'failed'} with statuscode: ${code}${code >= 400 ? ` ${body.trim()}` : ''}` });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`(Client.Timeout exceeded while awaiting headers)`)));
    req.on('error', (e) => resolve({ success: false, output: `Get "http://${h.host ?? ctx.podIP}:${port}${h.path ?? '/'}": ` +
      e.message }));
  });
}

function tcpProbe(h: NonNullable<ProbeHandler['tcpSocket']>, ctx: ProbeContext, timeoutMs: number): Promise<ProbeOutcome> {
  const port = resolveProbePort(h.port, ctx.ports);
  if (port === undefined) return Promise.resolve({ success: false, output: `unknown port ${String(h.port)}` });
  const host = h.host ?? ctx.podIP;
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const timer = setTimeout(() => sock.destroy(new Error('i/o timeout')), timeoutMs);
    sock.once('connect', () => {
      clearTimeout(timer);
      sock.destroy();
      resolve({ success: true, output: '' });
    });
    sock.once('error', (e) => {
      clearTimeout(timer);
      resolve({ success: false, output: `dial tcp ${host}:${port}: ${e.message}` });
    });
  });
}

/** One probe attempt of whichever handler the probe has. */
export async function runProbe(handler: ProbeHandler, ctx: ProbeContext, timeoutMs: number): Promise<ProbeOutcome> {
  if (handler.httpGet !== undefined) return httpProbe(handler.httpGet, ctx, timeoutMs);
  if (handler.tcpSocket !== undefined) return tcpProbe(handler.tcpSocket, ctx, timeoutMs);
  if (handler.exec !== undefined) {
    if (ctx.exec === undefined) return { success: false, output: 'exec probes need a runtime that can exec' };
    const r = await ctx.exec(handler.exec.command ?? [], timeoutMs);
    if (r.timedOut) return { success: false, output: `command timed out after ${timeoutMs / 1000}s` };
    return { success: r.exitCode === 0, output: r.output.slice(0, PROBE_OUTPUT_MAX_BYTES) };
  }
  return { success: false, output: 'grpc probes and probes without a handler are not supported by this node agent' };
}

export interface ProbeWorkerOptions {
  type: ProbeType;
  probe: Probe;
  /** When the container started running (initialDelaySeconds counts from here). */
  startedAtMs: number;
  run: (handler: ProbeHandler, timeoutMs: number) => Promise<ProbeOutcome>;
  /** Liveness and readiness probes wait for this (the startup probe's success); default: started. */
  isStarted?: () => boolean;
  /** The cached result changed. */
  onResult: (success: boolean, outcome: ProbeOutcome) => void;
  clock?: Clock;
}

export class ProbeWorker {
  readonly type: ProbeType;
  readonly #o: ProbeWorkerOptions;
  readonly #clock: Clock;
  #result: boolean;
  #lastRaw: boolean | undefined;
  #run = 0;
  #onHold = false;
  #timer: unknown;
  #stopped = true;
  #startedAtMs: number;

  constructor(o: ProbeWorkerOptions) {
    this.type = o.type;
    this.#o = o;
    this.#clock = o.clock ?? systemClock;
    this.#result = o.type === 'liveness';
    this.#startedAtMs = o.startedAtMs;
  }

  /** The cached result: ready / alive / started. */
  get result(): boolean {
    return this.#result;
  }

  get onHold(): boolean {
    return this.#onHold;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#schedule(0);
  }

  stop(): void {
    this.#stopped = true;
    this.#clock.clearTimeout(this.#timer);
  }

  /** A new instance of the container started: forget the streak and leave hold (the kubelet's new worker). */
  restarted(startedAtMs: number): void {
    this.#startedAtMs = startedAtMs;
    this.#onHold = false;
    this.#run = 0;
    this.#lastRaw = undefined;
    this.#result = this.type === 'liveness';
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    this.#timer = this.#clock.setTimeout(() => void this.#tick(), ms);
  }

  async #tick(): Promise<void> {
    const periodMs = (this.#o.probe.periodSeconds ?? 10) * 1000;
    try {
      await this.probeOnce();
    } finally {
      this.#schedule(periodMs);
    }
  }

  /** One period's work (worker.doProbe); exported for callers that drive it themselves. */
  async probeOnce(): Promise<void> {
    const p = this.#o.probe;
    if (this.#onHold) return;
    if (this.type === 'startup' && this.#result) return;
    if (this.type !== 'startup' && this.#o.isStarted !== undefined && !this.#o.isStarted()) return;
    if (this.#clock.now() - this.#startedAtMs < (p.initialDelaySeconds ?? 0) * 1000) return;
    const outcome = await this.#o.run(p, (p.timeoutSeconds ?? 1) * 1000)
      .catch((e: Error) => ({ success: false, output: e.message }));
    if (this.#stopped || this.#onHold) return;
    const raw = outcome.success;
    this.#run = this.#lastRaw === raw ? this.#run + 1 : 1;
    this.#lastRaw = raw;
    const threshold = raw ? p.successThreshold ?? 1 : p.failureThreshold ?? 3;
    if (this.#run < threshold) return;
    const changed = this.#result !== raw;
    this.#result = raw;
    if (!raw && this.type !== 'readiness') {
      // The kubelet will kill the container; stop probing until it is restarted.
      this.#onHold = true;
      this.#run = 0;
    }
    if (changed || (!raw && this.type !== 'readiness')) this.#o.onResult(raw, outcome);
  }
}

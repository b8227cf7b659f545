// Tells why a member's Raft tick came late. A tick that comes late means the event loop was
// blocked, and past an election timeout the followers stop hearing from a blocked leader and
// elect another one. Each late tick is logged with the garbage-collection pauses inside it
// (to tell a collector pause from a blocked loop) and with what the member was doing.
import { PerformanceObserver } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { MEMBER_LIMITS } from './options.js';

interface GcPause { startMs: number; ms: number; kind: number }

export class StallMonitor {
  /** Recent GC pauses (performance.now() start, duration), newest last, at most MEMBER_LIMITS.gcPausesKept. */
  readonly #gcPauses: GcPause[] = [];
  readonly #observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as { detail?: { kind?: number } }).detail?.kind ?? 0;
      this.#gcPauses.push({ startMs: e.startTime, ms: e.duration, kind });
    }
    const extra = this.#gcPauses.length - MEMBER_LIMITS.gcPausesKept;
    if (extra > 0) this.#gcPauses.splice(0, extra);
  });
  /** performance.now() of the last tick. */
  #lastTickAtMs = 0;

  /** `context` adds what the member was doing (e.g. the snapshot phase) to each stall line. */
  constructor(private readonly tickIntervalMs: number, private readonly log: Logger,
    private readonly context: () => Record<string, unknown>) {}

  start(): void {
    this.#observer.observe({ entryTypes: ['gc'] });
  }

  stop(): void {
    this.#observer.disconnect();
  }

  /** Called on every tick. GC entries arrive after the pause, so a stall is logged a moment later. */
  tick(): void {
    const now = performance.now();
    const from = this.#lastTickAtMs;
    const late = from === 0 ? 0 : now - from - this.tickIntervalMs;
    this.#lastTickAtMs = now;
    if (late < MEMBER_LIMITS.tickLateWarnMs) return;
    const fields = { lateMs: Math.round(late), ...this.context() };
    setTimeout(() => {
      const inside = this.#gcPauses.filter((g) => g.startMs + g.ms > from && g.startMs < now);
      const gcMs = Math.round(inside.reduce((n, g) => n + g.ms, 0));
      const gcMaxMs = Math.round(Math.max(0, ...inside.map((g) => g.ms)));
      this.log.warn({ ...fields, gcMs, gcMaxMs, gcKinds: [...new Set(inside.map((g) => g.kind))] },
        'event loop stalled: a Raft tick came late');
    }, MEMBER_LIMITS.stallReportDelayMs).unref();
  }
}

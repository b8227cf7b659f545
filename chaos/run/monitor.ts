// Polls every member's Status (leader, term) every statusPollMs, for the report's timeline
// and for fault targets ("kill the leader" means the leader now, not at the last poll).
import { EtcdClient } from '../../store/client/client.js';
import type { ChaosCluster } from './cluster.js';
import { RUN_LIMITS } from './limits.js';
import type { Recorder } from './workload.js';

export interface StatusSample {
  t: number;
  member: string;
  leader: string | null;
  term: number;
}

export interface LeaderChange {
  t: number;
  leader: string | null;
  term: number;
}

export class Monitor {
  readonly samples: StatusSample[] = [];
  readonly leaderChanges: LeaderChange[] = [];
  readonly #clients = new Map<string, EtcdClient>();
  readonly #names = new Map<bigint, string>();
  #timer: NodeJS.Timeout | undefined;
  #last: { leader: string | null; term: number } = { leader: null, term: 0 };

  constructor(private readonly cluster: ChaosCluster, private readonly rec: Recorder) {
    for (const m of cluster.members) {
      const client = new EtcdClient({ endpoints: [m.clientEndpoint], requestTimeoutMs: RUN_LIMITS.statusTimeoutMs });
      this.#clients.set(m.name, client);
    }
  }

  start(): void {
    const tick = async () => {
      await this.poll();
      if (this.#timer !== undefined) this.#timer = setTimeout(tick, RUN_LIMITS.statusPollMs);
    };
    this.#timer = setTimeout(tick, 0);
  }

  /** One round: each member's view; returns the leader of the highest term any member reported. */
  async poll(): Promise<{ leader: string | null; term: number }> {
    const t = this.rec.now();
    const views = await Promise.all(this.cluster.members.map(async (m) => {
      if (!this.cluster.running(m.name)) return undefined;
      try {
        const s = await this.#clients.get(m.name)!.status();
        this.#names.set(s.memberId, m.name);
        return { member: m.name, leaderId: s.leader, term: s.raftTerm };
      } catch {
        return undefined;
      }
    }));
    let best: { leader: string | null; term: number } = { leader: null, term: 0 };
    for (const v of views) {
      if (v === undefined) continue;
      const leader = v.leaderId === 0n ? null : this.#names.get(v.leaderId) ?? null;
      this.samples.push({ t, member: v.member, leader, term: v.term });
      if (v.term > best.term || (v.term === best.term && best.leader === null)) best = { leader, term: v.term };
    }
    if (best.term > 0 && (best.leader !== this.#last.leader || best.term !== this.#last.term)) {
      this.leaderChanges.push({ t, ...best });
      this.#last = best;
    }
    return best;
  }

  /** The current leader, polling until one is known or `timeoutMs` passes. */
  async leader(timeoutMs = 5_000): Promise<string | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const b = await this.poll();
      if (b.leader !== null && this.cluster.running(b.leader)) return b.leader;
      if (Date.now() > deadline) return null;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const c of this.#clients.values()) c.close();
  }
}

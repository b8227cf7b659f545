// CPU seconds and resident memory of a process from /proc (Linux), for the bench's
// per-process table. Missing or exited processes read as undefined.
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

/** cpuSeconds is user + system; systemSeconds the kernel's share of it (syscalls, TLS writes' copies, page faults). */
export interface ProcSample { cpuSeconds: number; systemSeconds: number; rssBytes: number }

export function sampleProcess(pid: number): ProcSample | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return { cpuSeconds: (utime + stime) / TICKS_PER_SECOND, systemSeconds: stime / TICKS_PER_SECOND,
      rssBytes: rssKb * 1024 };
  } catch {
    return undefined;
  }
}

// Durable runtime state and process identity. The state file is replaced atomically (write a
// temporary file, fsync it, rename over, fsync the directory), so a crash leaves the old or
// the new state, never half of one. A pid alone does not identify a process (pids are
// reused), so each record also keeps the process's start time, field 22 of /proc/<pid>/stat
// (clock ticks since boot), as runc and the kubelet's pid checks do.
import fs from 'node:fs';
import path from 'node:path';

export function writeJsonAtomic(file: string, value: unknown): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeSync(fd, JSON.stringify(value, null, 1));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  const dir = fs.openSync(path.dirname(file), 'r');
  try {
    fs.fsyncSync(dir);
  } finally {
    fs.closeSync(dir);
  }
}

export function readJsonIfExists(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  return JSON.parse(text) as unknown;
}

export interface ProcStat {
  state: string;
  pgid: number;
  startTicks: string;
}

/** Fields 3 (state), 5 (pgrp) and 22 (starttime) of /proc/<pid>/stat; undefined if no such process. */
export function procStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces and ')': split after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] ?? '', pgid: Number(fields[2]), startTicks: fields[19] ?? '' };
}

/** Is `pid` still the process that started at `startTicks` (and not a zombie waiting to be reaped)? */
export function sameProcessAlive(pid: number, startTicks: string): boolean {
  const st = procStat(pid);
  return st !== undefined && st.startTicks === startTicks && st.state !== 'Z' && st.state !== 'X';
}

/**
 * Does any live (not zombie) process still belong to process group `pgid`? kill(-pgid, 0) first,
 * which is cheap; if it finds members, /proc tells whether they are only zombies waiting for
 * their new parent (often a slow-reaping init) to collect them, which counts as gone.
 */
export function processGroupExists(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  let pids: string[];
  try {
    pids = fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n));
  } catch {
    return true;
  }
  return pids.some((p) => {
    const st = procStat(Number(p));
    return st !== undefined && st.pgid === pgid && st.state !== 'Z' && st.state !== 'X';
  });
}

/** Sends a signal to a process group; a group already gone is fine. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
}

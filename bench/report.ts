// What every benchmark result carries so a number can be reproduced and compared later
// (../shared/BENCHMARKING.md): machine facts, git commit, the exact command, and a JSON
// file under bench/results/.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

export interface MachineFacts {
  cores: number;
  cpuModel: string;
  memoryBytes: number;
  node: string;
  gitCommit: string;
  command: string;
  startedAt: string;
}

export function machineFacts(): MachineFacts {
  let gitCommit = 'unknown';
  try {
    gitCommit = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    // not a git checkout: keep 'unknown'
  }
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryBytes: totalmem(),
    node: process.version,
    gitCommit,
    command: process.argv.slice(1).join(' '),
    startedAt: new Date().toISOString(),
  };
}

/** Write `result` to bench/results/<name>-<time>.json; returns the path. */
export function writeResult(name: string, result: unknown, dir = 'bench/results'): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(path, JSON.stringify(result, null, 2) + '\n');
  return path;
}

/** Process CPU seconds used between two `process.cpuUsage()` readings. */
export function cpuSeconds(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1e6;
}

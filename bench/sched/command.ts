// `flotilla bench sched WORKLOAD` and `flotilla bench compare A.json B.json`.
import { writeFileSync } from 'node:fs';
import { machineFacts, writeResult } from '../report.js';
import { compare, html, type SchedBenchResult, table } from './report.js';
import { runWorkload } from './runner.js';
import { loadWorkload, WorkloadError } from './workload.js';

export interface SchedFlags {
  param?: string[];
  kubeconfig?: string;
  clients: number;
  json?: boolean;
  report?: boolean;
  barrierTimeout: number;
  podsRunning?: boolean;
}

export function parseParams(list: string[] = []): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of list) {
    const m = /^([A-Za-z]\w*)=(\d+)$/.exec(p);
    if (!m) throw new WorkloadError(`--param ${JSON.stringify(p)}: expected name=integer, e.g. nodes=5000`);
    out[m[1]!] = Number(m[2]);
  }
  return out;
}

export async function benchSched(name: string, f: SchedFlags): Promise<SchedBenchResult> {
  const workload = loadWorkload(name, parseParams(f.param));
  const machine = machineFacts() as unknown as Record<string, unknown>;
  const result = await runWorkload({ workload, kubeconfig: f.kubeconfig, clients: f.clients,
    barrierTimeoutMs: f.barrierTimeout * 1000, podsRunning: f.podsRunning ?? false, progress: (s) => process.stderr.write(`${s}\n`) });
  const out: SchedBenchResult = { bench: 'sched', workload: workload.name, params: workload.params, machine, result };
  const jsonPath = writeResult(`sched-${workload.name}`, out);
  let htmlPath: string | undefined;
  if (f.report) {
    htmlPath = jsonPath.replace(/\.json$/, '.html');
    writeFileSync(htmlPath, html(out));
  }
  process.stdout.write(f.json ? JSON.stringify(out, null, 2) + '\n' : table(out, jsonPath, htmlPath));
  return out;
}

export function benchCompare(a: string, b: string): void {
  process.stdout.write(compare(a, b));
}

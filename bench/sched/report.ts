// The scheduling bench's outputs: a table for the terminal, JSON (with machine facts and the
// git commit), a self-contained HTML page with SVG charts (throughput over time, latency
// distribution), and the ratio between two JSON results (`flotilla bench compare`).
import { readFileSync } from 'node:fs';
import type { RunResult } from './runner.js';

export interface SchedBenchResult {
  bench: 'sched';
  workload: string;
  params: Record<string, number>;
  machine: Record<string, unknown>;
  result: RunResult;
}

export function table(r: SchedBenchResult, jsonPath: string, htmlPath: string | undefined): string {
  const x = r.result;
  const rows: [string, string][] = [
    ['workload', `${r.workload} ${Object.entries(r.params).map(([k, v]) => `${k}=${v}`).join(' ')}`],
    ['scheduled', `${x.scheduled}/${x.measuredPods} measured pods in ${x.durationSeconds.toFixed(2)} s`],
    ['throughput', `${x.throughput.average.toFixed(0)} pods/s average (per-second p50 ${x.throughput.p50}, ` +
      `p90 ${x.throughput.p90}, p99 ${x.throughput.p99})`],
    ['latency', `created → bound p50 ${x.latencyMs.p50.toFixed(0)} ms, p90 ${x.latencyMs.p90.toFixed(0)} ms, ` +
      `p99 ${x.latencyMs.p99.toFixed(0)} ms, max ${x.latencyMs.max.toFixed(0)} ms`],
    ...(x.runningLatencyMs ? [['→ Running', `created → Running p50 ${x.runningLatencyMs.p50.toFixed(0)} ms, ` +
      `p90 ${x.runningLatencyMs.p90.toFixed(0)} ms, p99 ${x.runningLatencyMs.p99.toFixed(0)} ms, ` +
      `max ${x.runningLatencyMs.max.toFixed(0)} ms (${x.runningLatencyMs.count} pods)`] as [string, string]] : []),
    ...(x.kubelet ? [['kubelet stand-in', `${x.kubelet.failures} failed writes` +
      (x.kubelet.lastError ? ` (last: ${x.kubelet.lastError})` : '')] as [string, string]] : []),
    ['attempts', Object.entries(x.attempts).map(([k, v]) => `${k} ${v}`).join(', ') || '(scheduler metrics unavailable)'],
    ...(x.schedulerSamples ? [['scheduler', `binds in flight mean ${x.schedulerSamples.bindsInFlightMean.toFixed(1)} ` +
      `(max ${x.schedulerSamples.bindsInFlightMax}), active queue mean ${x.schedulerSamples.activeQueueMean.toFixed(0)}, ` +
      `bind latency mean ${x.schedulerSamples.bindMeanMs.toFixed(0)} ms`] as [string, string]] : []),
    ...x.processes.map((p): [string, string] => [`  ${p.name}`, `cpu ${p.cpuSeconds.toFixed(1)} s ` +
      `(${msPerPod(p, x.scheduled).toFixed(2)} ms/pod, system ${(p.systemSeconds ?? 0).toFixed(1)} s, ` +
      `${p.cpuPercent.toFixed(0)}% of a core), rss ${p.rssMiB.toFixed(0)} MiB`]),
    ['  all processes', `${x.processes.reduce((t, p) => t + msPerPod(p, x.scheduled), 0).toFixed(2)} ms of CPU per pod`],
    ['json', jsonPath],
  ];
  if (htmlPath) rows.push(['report', htmlPath]);
  return rows.map(([k, v]) => `${k.padEnd(20)} ${v}`).join('\n') + '\n';
}

/** CPU ms per scheduled pod (results written before cpuMsPerPod existed are computed from cpuSeconds). */
function msPerPod(p: RunResult['processes'][number], scheduled: number): number {
  return p.cpuMsPerPod ?? (1000 * p.cpuSeconds) / Math.max(1, scheduled);
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

function barChart(values: number[], w: number, h: number, label: (i: number) => string, unit: string): string {
  const max = Math.max(1, ...values);
  const bw = w / Math.max(1, values.length);
  const bars = values.map((v, i) => {
    const bh = (v / max) * (h - 20);
    return `<rect x="${(i * bw).toFixed(1)}" y="${(h - 20 - bh).toFixed(1)}" width="${Math.max(1, bw - 1).toFixed(1)}" ` +
      `height="${bh.toFixed(1)}" fill="#3b7dd8"><title>${escapeHtml(label(i))}: ${v} ${unit}</title></rect>`;
  }).join('');
  return `<svg width="${w}" height="${h}" xmlns="http://www.w3.org/2000/svg">${bars}` +
    `<text x="0" y="${h - 4}" font-size="11">${escapeHtml(label(0))}</text>` +
    `<text x="${w - 80}" y="${h - 4}" font-size="11">${escapeHtml(label(values.length - 1))}</text>` +
    `<text x="4" y="12" font-size="11">max ${max} ${unit}</text></svg>`;
}

function quantileChart(q: RunResult['latencyMs']): string {
  const rows = [['p50', q.p50], ['p90', q.p90], ['p99', q.p99], ['max', q.max]] as const;
  return barChart(rows.map(([, v]) => Math.round(v)), 320, 180, (i) => rows[i]![0], 'ms');
}

export function html(r: SchedBenchResult): string {
  const x = r.result;
  const throughput = barChart(x.throughput.perSecond, 720, 220, (i) => `second ${i + 1}`, 'pods/s');
  const rows = x.processes.map((p) => `<tr><td>${escapeHtml(p.name)}</td><td>${p.cpuSeconds.toFixed(1)} s</td>` +
    `<td>${msPerPod(p, x.scheduled).toFixed(2)} ms</td>` +
    `<td>${p.cpuPercent.toFixed(0)}%</td><td>${p.rssMiB.toFixed(0)} MiB</td></tr>`).join('');
  const latency = quantileChart(x.latencyMs);
  const running = x.runningLatencyMs
    ? `<h2>Latency, created → Running (${x.runningLatencyMs.count} pods)</h2>${quantileChart(x.runningLatencyMs)}` : '';
  return `<!doctype html><html><head><meta charset="utf-8"><title>flotilla bench sched ${escapeHtml(r.workload)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:900px}td,th{padding:2px 10px;text-align:left}</style></head>
<body><h1>${escapeHtml(r.workload)}: ${x.throughput.average.toFixed(0)} pods/s</h1>
<p>${escapeHtml(Object.entries(r.params).map(([k, v]) => `${k}=${v}`).join(', '))} — ${x.scheduled}/${x.measuredPods} measured pods
scheduled in ${x.durationSeconds.toFixed(2)} s; commit ${escapeHtml(String(r.machine['gitCommit'] ?? ''))},
${escapeHtml(String(r.machine['cores'] ?? ''))} cores, ${escapeHtml(String(r.machine['startedAt'] ?? ''))}.</p>
<h2>Throughput over time (pods bound per second)</h2>${throughput}
<h2>Latency, created → bound</h2>${latency}${running}
<h2>Processes during the measured phase</h2><table><tr><th>process</th><th>cpu</th><th>per pod</th><th>of a core</th><th>rss</th></tr>${rows}</table>
<h2>Scheduling attempts</h2><p>${escapeHtml(JSON.stringify(x.attempts))}</p></body></html>
`;
}

function totalMsPerPod(r: SchedBenchResult): number {
  return r.result.processes.reduce((t, p) => t + msPerPod(p, r.result.scheduled), 0);
}

export function compare(aPath: string, bPath: string): string {
  const a = JSON.parse(readFileSync(aPath, 'utf8')) as SchedBenchResult;
  const b = JSON.parse(readFileSync(bPath, 'utf8')) as SchedBenchResult;
  const ratio = (x: number, y: number) => (x === 0 ? 'n/a' : `${(y / x).toFixed(2)}x`);
  const rows: [string, number, number][] = [
    ['throughput pods/s', a.result.throughput.average, b.result.throughput.average],
    ['latency p50 ms', a.result.latencyMs.p50, b.result.latencyMs.p50],
    ['latency p99 ms', a.result.latencyMs.p99, b.result.latencyMs.p99],
    ['cpu ms/pod, all', totalMsPerPod(a), totalMsPerPod(b)],
    ...a.result.processes.map((p): [string, number, number] => {
      const q = b.result.processes.find((x) => x.name === p.name);
      return [`cpu ms/pod ${p.name}`.slice(0, 20), msPerPod(p, a.result.scheduled),
        q ? msPerPod(q, b.result.scheduled) : 0];
    }),
  ];
  const head = `${'metric'.padEnd(20)} ${'A'.padStart(10)} ${'B'.padStart(10)}  B/A\n`;
  return head + rows.map(([k, x, y]) => `${k.padEnd(20)} ${x.toFixed(1).padStart(10)} ${y.toFixed(1).padStart(10)}  ${ratio(x, y)}`)
    .join('\n') + `\nA: ${a.workload} (${aPath})\nB: ${b.workload} (${bPath})\n`;
}

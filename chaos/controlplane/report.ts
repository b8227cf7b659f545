// The control-plane report: report.json (everything, history included) and a self-contained
// report.html (inline CSS and SVG): the timeline of faults and of store / scheduler /
// controller-manager leaders, API throughput and latency per second, unavailability per fault,
// convergence, and each checker's verdict with its evidence.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ApiAvailabilityResult } from '../checkers/api-availability.js';
import type { CpExperiment } from './experiment.js';
import type { CpCheckerResult, CpRun } from './runner.js';

export interface CpSecond { second: number; ok: number; failed: number; p50Ms: number; p99Ms: number }

export function cpPerSecond(run: CpRun): CpSecond[] {
  const n = Math.ceil(run.stoppedAt / 1000) + 1;
  const lat: number[][] = Array.from({ length: n }, () => []);
  const failed = new Array<number>(n).fill(0);
  for (const o of run.ops) {
    const s = Math.floor((o.ret ?? o.call) / 1000);
    if (s >= n) continue;
    if (o.ret === null) failed[s]!++;
    else lat[s]!.push(o.ret - o.call);
  }
  return lat.map((l, second) => {
    l.sort((a, b) => a - b);
    const q = (p: number) => (l.length === 0 ? 0 : Math.round(l[Math.min(l.length - 1, Math.floor(p * l.length))]!));
    return { second, ok: l.length, failed: failed[second]!, p50Ms: q(0.5), p99Ms: q(0.99) };
  });
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]!));
const CSS = 'body{font:14px system-ui,sans-serif;margin:24px;color:#222}h1{font-size:20px}h2{font-size:17px;' +
  'margin-top:28px}table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}' +
  '.pass{color:#0a0;font-weight:bold}.fail{color:#c00;font-weight:bold}.unknown{color:#c80;font-weight:bold}' +
  'pre{background:#f6f6f6;padding:8px;overflow-x:auto;font-size:12px}svg{border:1px solid #ddd}.small{color:#666;font-size:12px}';
const COLORS: Record<string, string> = { 'master-1': '#4e79a7', 'master-2': '#f28e2b', 'master-3': '#59a14f',
  'master-4': '#b07aa1', 'master-5': '#76b7b2' };

function timeline(run: CpRun): string {
  const W = 1000;
  const left = 150;
  const span = Math.max(1, run.stoppedAt);
  const x = (t: number) => left + ((W - left - 10) * Math.min(Math.max(t, 0), span)) / span;
  const parts: string[] = [];
  let y = 6;
  const injects = run.faultEvents.filter((e) => e.phase === 'inject');
  parts.push(`<text x="4" y="${y + 12}">faults</text>`);
  injects.forEach((f, i) => {
    const heal = run.faultEvents.find((e) => e.fault === f.fault && e.phase === 'heal')?.t ?? run.healedAt;
    parts.push(`<rect x="${x(f.t)}" y="${y + i * 18}" width="${Math.max(2, x(heal) - x(f.t))}" height="14" fill="#e15759" ` +
      `opacity="0.75"><title>${esc(f.label)}</title></rect><text x="${x(f.t) + 3}" y="${y + i * 18 + 11}" ` +
      `font-size="10">${esc(f.label)}</text>`);
  });
  y += Math.max(1, injects.length) * 18 + 6;
  for (const role of ['store', 'scheduler', 'controller-manager'] as const) {
    const obs = run.leaders.filter((l) => l.role === role);
    parts.push(`<text x="4" y="${y + 11}" font-size="12">${role} leader</text>`);
    obs.forEach((l, i) => {
      const end = obs[i + 1]?.t ?? run.stoppedAt;
      parts.push(`<rect x="${x(l.t)}" y="${y}" width="${Math.max(1, x(end) - x(l.t))}" height="14" ` +
        `fill="${COLORS[l.holder] ?? '#999'}"><title>${esc(`${l.holder} from ${(l.t / 1000).toFixed(1)} s`)}</title></rect>` +
        (x(end) - x(l.t) > 50 ? `<text x="${x(l.t) + 3}" y="${y + 11}" font-size="10" fill="#fff">${esc(l.holder)}</text>` : ''));
    });
    y += 20;
  }
  const b = cpPerSecond(run);
  const H = 80;
  const chart = (label: string, series: [number[], string][]) => {
    const max = Math.max(1, ...series.flatMap(([v]) => v));
    parts.push(`<text x="4" y="${y + 12}">${label}</text><text x="4" y="${y + 26}" font-size="10">max ${max}</text>`,
      `<line x1="${left}" y1="${y + H}" x2="${W - 10}" y2="${y + H}" stroke="#999"/>`,
      ...series.map(([v, c]) => `<polyline fill="none" stroke="${c}" points="${v.map((n, s) =>
        `${x(s * 1000 + 500).toFixed(1)},${(y + H - (H * n) / max).toFixed(1)}`).join(' ')}"/>`));
    y += H + 10;
  };
  chart('requests/s', [[b.map((s) => s.ok), '#4e79a7'], [b.map((s) => s.failed), '#e15759']]);
  chart('latency ms', [[b.map((s) => s.p50Ms), '#59a14f'], [b.map((s) => s.p99Ms), '#f28e2b']]);
  for (let s = 0; s <= span / 1000; s += Math.max(1, Math.round(span / 10_000))) {
    parts.push(`<text x="${x(s * 1000)}" y="${y + 10}" font-size="10">${s}s</text>`);
  }
  return `<svg width="${W}" height="${y + 16}" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>` +
    '<div class="small">requests/s (API and kubectl): <span style="color:#4e79a7">succeeded</span>, ' +
    '<span style="color:#e15759">failed</span>; latency of succeeded requests: <span style="color:#59a14f">p50</span>, ' +
    '<span style="color:#f28e2b">p99</span></div>';
}

function evidence(c: CpCheckerResult): string {
  const pre = (v: string[], n: number) => (v.length ? `<pre>${esc(v.join('\n'))}${n > v.length ? `\n... ${n} in all` : ''}</pre>` : '');
  switch (c.checker) {
    case 'bindings': return `${c.pods} pods seen, ${c.bound} bound${pre(c.violations, c.violationCount)}`;
    case 'surge': return `lag ${c.lagMs} ms; peaks: ${c.peaks.map((p) => `${p.deployment} ${p.live}/${p.bound}`).join(', ')}` +
      pre(c.violations, c.violationCount) + (c.excused.length ? `<p>excused (pending deletion):</p>${pre(c.excused,
        c.excused.length)}` : '');
    case 'convergence': return `from ${(c.from / 1000).toFixed(1)} s, bound ${c.boundMs} ms: converged in ` +
      `${c.convergenceMs ?? 'never'} ms<pre>${esc(c.deployments.map((d) => `${d.name}: ${d.convergedAt === undefined
        ? 'NOT converged' : `converged at ${(d.convergedAt / 1000).toFixed(1)} s`} (${d.last})`).join('\n'))}</pre>` +
      pre(c.violations, c.violationCount);
    case 'availability': return `bound ${c.maxUnavailableMs} ms${pre(c.violations, c.violations.length)}`;
  }
}

function availabilityTable(a: ApiAvailabilityResult | undefined): string {
  if (!a || a.faults.length === 0) return '<p>no faults</p>';
  return '<table><tr><th>fault</th><th>at</th><th>healed</th><th>longest no-write (API)</th><th>longest no-read (API)' +
    '</th><th>heal → first write</th><th>longest kubectl gap</th><th>kubectl failures</th></tr>' +
    a.faults.map((f) => `<tr><td>${esc(f.label)}</td><td>${(f.start / 1000).toFixed(1)} s</td><td>${f.heal === undefined
      ? '-' : `${(f.heal / 1000).toFixed(1)} s`}</td><td>${f.writeGapMs} ms</td><td>${f.readGapMs} ms</td>` +
      `<td>${f.healToFirstWriteMs ?? '-'} ms</td><td>${f.kubectlGapMs ?? '-'} ms</td><td>${f.kubectlFailures ?? '-'}</td></tr>`)
      .join('') + '</table>';
}

export function renderCpHtml(exp: CpExperiment, run: CpRun): string {
  const ok = run.ops.filter((o) => o.ret !== null).length;
  const av = run.checkers.find((c): c is ApiAvailabilityResult => c.checker === 'availability');
  const w = exp.workload;
  return `<!doctype html><html><head><meta charset="utf-8"><title>chaos: ${esc(exp.name)}</title><style>${CSS}</style>` +
    `</head><body><h1>flotilla chaos run: ${esc(exp.name)} — <span class="${run.verdict}">` +
    `${run.verdict.toUpperCase()}</span></h1><p>${esc(exp.description)}</p><p class="small">${exp.masters} masters, ` +
    `${exp.workers} workers; ${run.durationMs / 1000} s of traffic from ${(run.trafficStart / 1000).toFixed(1)} s; ` +
    `${w.deployments} Deployments of ${w.minReplicas}..${w.maxReplicas} replicas (maxSurge ${w.maxSurge}, maxUnavailable ` +
    `${w.maxUnavailable}); per second: scale ${w.scaleRate}, update ${w.updateRate}, churn ${w.churnRate}, read ` +
    `${w.readRate}, write ${w.writeRate}${w.kubectl ? `, kubectl ${w.kubectl.rate}` : ''}. ${run.ops.length} requests ` +
    `(${ok} succeeded).</p>${timeline(run)}<h2>Unavailability per fault</h2>${availabilityTable(av)}<h2>Checkers</h2>` +
    `<table><tr><th>checker</th><th>verdict</th><th>evidence</th></tr>${run.checkers.map((c) => `<tr><td>${c.checker}` +
      `</td><td class="${c.verdict}">${c.verdict.toUpperCase()}</td><td>${evidence(c)}</td></tr>`).join('')}</table>` +
    `<details><summary>fault events</summary><pre>${esc(run.faultEvents.map((e) =>
      `${(e.t / 1000).toFixed(2)} s  ${e.phase.padEnd(6)} ${e.label}`).join('\n'))}</pre></details></body></html>`;
}

export function writeCpReport(exp: CpExperiment, run: CpRun, outDir: string, command: string):
  { dir: string; json: string; html: string } {
  const dir = join(outDir, `${exp.name}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(dir, { recursive: true });
  const json = join(dir, 'report.json');
  const html = join(dir, 'report.html');
  writeFileSync(json, JSON.stringify({ experiment: exp, command, node: process.version,
    createdAt: new Date().toISOString(),
    run: { ...run, perSecond: cpPerSecond(run) } }, null, 1));
  writeFileSync(html, renderCpHtml(exp, run));
  return { dir, json, html };
}

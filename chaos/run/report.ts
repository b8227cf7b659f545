// Reports: a JSON file with everything (history included) and a self-contained HTML page
// (inline CSS and SVG, no external assets): per system, the timeline of faults and leaders,
// throughput and latency per second, unavailability per fault, and every checker's verdict
// with its evidence; with two systems, their unavailability side by side.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AvailabilityResult } from '../checkers/availability.js';
import type { Experiment } from './experiment.js';
import type { CheckerResult, SystemRun } from './runner.js';

export interface SecondBucket {
  second: number;
  ok: number;
  unknown: number;
  p50Ms: number;
  p99Ms: number;
}

export function perSecond(run: SystemRun): SecondBucket[] {
  const n = Math.ceil(run.stoppedAt / 1000) + 1;
  const lat: number[][] = Array.from({ length: n }, () => []);
  const unknown = new Array<number>(n).fill(0);
  for (const o of run.ops) {
    if (o.ret === null) {
      const s = Math.floor(o.call / 1000);
      if (s < n) unknown[s]!++;
    } else {
      const s = Math.floor(o.ret / 1000);
      if (s < n) lat[s]!.push(o.ret - o.call);
    }
  }
  return lat.map((l, second) => {
    l.sort((a, b) => a - b);
    const q = (p: number) => (l.length === 0 ? 0 : l[Math.min(l.length - 1, Math.floor(p * l.length))]!);
    return { second, ok: l.length, unknown: unknown[second]!, p50Ms: round1(q(0.5)), p99Ms: round1(q(0.99)) };
  });
}

const round1 = (x: number) => Math.round(x * 10) / 10;

export interface ReportFiles {
  dir: string;
  json: string;
  html: string;
}

export function writeReport(exp: Experiment, runs: SystemRun[], outDir: string, command: string): ReportFiles {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const dir = join(outDir, `${exp.name}-${stamp}`);
  mkdirSync(dir, { recursive: true });
  const json = join(dir, 'report.json');
  const html = join(dir, 'report.html');
  const doc = { experiment: exp, command, node: process.version, createdAt: new Date().toISOString(),
    runs: runs.map((r) => ({ ...r, perSecond: perSecond(r) })) };
  writeFileSync(json, JSON.stringify(doc, null, 1));
  writeFileSync(html, renderHtml(exp, runs));
  return { dir, json, html };
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]!));

const CSS = `body{font:14px system-ui,sans-serif;margin:24px;color:#222}h1{font-size:20px}h2{font-size:17px;
margin-top:32px}table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}
.pass{color:#0a0;font-weight:bold}.fail{color:#c00;font-weight:bold}.unknown{color:#c80;font-weight:bold}
pre{background:#f6f6f6;padding:8px;overflow-x:auto;font-size:12px}svg{background:#fff;border:1px solid #ddd}
.small{color:#666;font-size:12px}`;

const LEADER_COLORS = ['#4e79a7', '#f28e2b', '#59a14f', '#b07aa1', '#76b7b2'];

function timelineSvg(run: SystemRun): string {
  const W = 1000;
  const left = 130;
  const span = Math.max(1, run.stoppedAt);
  const x = (t: number) => left + ((W - left - 10) * Math.min(Math.max(t, 0), span)) / span;
  const parts: string[] = [];
  const buckets = perSecond(run);
  const maxOk = Math.max(1, ...buckets.map((b) => b.ok + b.unknown));
  const maxLat = Math.max(1, ...buckets.map((b) => b.p99Ms));
  const faults = run.faultEvents.filter((e) => e.phase === 'inject');
  const rowH = 18;
  let y = 10;
  parts.push(`<text x="4" y="${y + 12}">faults</text>`);
  faults.forEach((f, i) => {
    const heal = run.faultEvents.find((e) => e.fault === f.fault && e.phase === 'heal')?.t ?? run.healedAt;
    const yy = y + i * rowH;
    parts.push(`<rect x="${x(f.t)}" y="${yy}" width="${Math.max(2, x(heal) - x(f.t))}" height="${rowH - 4}" ` +
      `fill="#e15759" opacity="0.75"><title>${esc(f.label)}</title></rect>` +
      `<text x="${x(f.t) + 3}" y="${yy + 11}" font-size="10">${esc(f.label)}</text>`);
  });
  y += Math.max(1, faults.length) * rowH + 8;
  parts.push(`<text x="4" y="${y + 12}">leader (term)</text>`);
  const names = [...new Set(run.statusSamples.map((s) => s.member))].sort();
  run.leaderChanges.forEach((c, i) => {
    const end = run.leaderChanges[i + 1]?.t ?? run.stoppedAt;
    const color = c.leader === null ? '#bbb' : LEADER_COLORS[names.indexOf(c.leader) % LEADER_COLORS.length];
    parts.push(`<rect x="${x(c.t)}" y="${y}" width="${Math.max(1, x(end) - x(c.t))}" height="14" fill="${color}">` +
      `<title>${esc(`${c.leader ?? 'no leader'} term ${c.term} from ${(c.t / 1000).toFixed(2)} s`)}</title></rect>` +
      (x(end) - x(c.t) > 40 ? `<text x="${x(c.t) + 3}" y="${y + 11}" font-size="10" fill="#fff">` +
        `${esc(c.leader ?? '-')} (${c.term})</text>` : ''));
  });
  y += 26;
  const chartH = 90;
  const line = (vals: number[], max: number, top: number, color: string) => `<polyline fill="none" stroke="${color}" ` +
    `points="${vals.map((v, s) => `${x(s * 1000 + 500).toFixed(1)},${(top + chartH - (chartH * v) / max).toFixed(1)}`).join(' ')}"/>`;
  parts.push(`<text x="4" y="${y + 12}">ops/s</text><text x="4" y="${y + 26}" font-size="10">max ${maxOk}</text>`,
    `<line x1="${left}" y1="${y + chartH}" x2="${W - 10}" y2="${y + chartH}" stroke="#999"/>`,
    line(buckets.map((b) => b.ok), maxOk, y, '#4e79a7'), line(buckets.map((b) => b.unknown), maxOk, y, '#e15759'));
  y += chartH + 12;
  parts.push(`<text x="4" y="${y + 12}">latency ms</text><text x="4" y="${y + 26}" font-size="10">max ${maxLat}</text>`,
    `<line x1="${left}" y1="${y + chartH}" x2="${W - 10}" y2="${y + chartH}" stroke="#999"/>`,
    line(buckets.map((b) => b.p50Ms), maxLat, y, '#59a14f'), line(buckets.map((b) => b.p99Ms), maxLat, y, '#f28e2b'));
  y += chartH + 8;
  for (let s = 0; s <= span / 1000; s += Math.max(1, Math.round(span / 10_000))) {
    parts.push(`<text x="${x(s * 1000)}" y="${y + 12}" font-size="10">${s}s</text>`);
  }
  y += 18;
  return `<svg width="${W}" height="${y}" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>` +
    `<div class="small">ops/s: <span style="color:#4e79a7">completed</span>, <span style="color:#e15759">unknown ` +
    `outcome (by call time)</span>; latency: <span style="color:#59a14f">p50</span>, ` +
    `<span style="color:#f28e2b">p99</span> of completed operations per second</div>`;
}

function verdictCell(v: string): string {
  return `<span class="${v}">${v.toUpperCase()}</span>`;
}

function checkerDetail(c: CheckerResult): string {
  switch (c.checker) {
    case 'linearizability':
      return `${c.ops} ops over ${c.keys} keys, ${c.elapsedMs} ms` + c.failures.map((f) =>
        `<p>key <code>${esc(f.key)}</code> (${f.ops} ops) not linearizable; smallest failing sub-history ` +
        `(${f.minimal?.length} ops${f.oneMinimal ? ', 1-minimal' : ''}):</p><pre>${esc(f.timeline ?? '')}</pre>`).join('') +
        c.unknown.map((u) => `<p>key <code>${esc(u.key)}</code>: unknown (${esc(u.reason ?? '')})</p>`).join('');
    case 'watch':
      return `${c.watchers} watchers, ${c.events} events` +
        (c.violationCount ? `<pre>${esc(c.violations.map((v) => `[${v.property}] watcher ${v.watcher}: ${v.message}`)
          .join('\n'))}${c.violationCount > c.violations.length ? `\n... ${c.violationCount} in all` : ''}</pre>` : '');
    case 'lost-writes':
      return `${c.acknowledgedWrites} acknowledged writes, ${c.keys} keys` +
        (c.violationCount ? `<pre>${esc(c.violations.map((v) => v.message).join('\n'))}</pre>` : '');
    case 'availability':
      return `bound ${c.maxUnavailableMs} ms` + (c.violations.length ? `<pre>${esc(c.violations.join('\n'))}</pre>` : '');
  }
}

function availabilityTable(runs: SystemRun[]): string {
  const av = runs.map((r) => r.checkers.find((c): c is AvailabilityResult => c.checker === 'availability'));
  const rows = Math.max(0, ...av.map((a) => a?.faults.length ?? 0));
  if (rows === 0) return '<p>no faults</p>';
  const head = runs.map((r) => `<th>${r.system}: fault</th><th>longest no-write</th><th>longest no-read</th>` +
    '<th>heal → first write</th>').join('');
  const body = Array.from({ length: rows }, (_, i) => `<tr>${av.map((a) => {
    const f = a?.faults[i];
    return f ? `<td>${esc(f.label)} @ ${(f.start / 1000).toFixed(1)} s</td><td>${f.longestWriteGapMs} ms</td>` +
      `<td>${f.longestReadGapMs} ms</td><td>${f.healToFirstWriteMs ?? '-'} ms</td>` : '<td colspan="4"></td>';
  }).join('')}</tr>`).join('');
  return `<table><tr>${head}</tr>${body}</table>`;
}

function systemSection(run: SystemRun): string {
  const ok = run.ops.filter((o) => o.ret !== null).length;
  const rows = run.checkers.map((c) => `<tr><td>${c.checker}</td><td>${verdictCell(c.verdict)}</td>` +
    `<td>${checkerDetail(c)}</td></tr>`).join('');
  return `<h2>${esc(run.system)}: ${verdictCell(run.verdict)}</h2>` +
    `<p>${run.ops.length} operations (${ok} completed, ${run.ops.length - ok} unknown outcome; of the unknown writes ` +
    `${run.patch.resolvedHappened} found in the store's history, ${run.patch.resolvedNever} never applied), ` +
    `${run.watchers.length} watchers, final revision ${run.finalRead.revision}, ` +
    `${run.leaderChanges.length} leader observations.</p>${timelineSvg(run)}` +
    `<table><tr><th>checker</th><th>verdict</th><th>evidence</th></tr>${rows}</table>` +
    `<details><summary>fault events</summary><pre>${esc(run.faultEvents.map((e) =>
      `${(e.t / 1000).toFixed(2)} s  ${e.phase.padEnd(6)} ${e.label}`).join('\n'))}</pre></details>`;
}

export function renderHtml(exp: Experiment, runs: SystemRun[]): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>chaos: ${esc(exp.name)}</title>` +
    `<style>${CSS}</style></head><body><h1>flotilla chaos run: ${esc(exp.name)}</h1>` +
    `<p>${esc(exp.description)}</p><p class="small">${exp.members} members, ${exp.durationMs / 1000} s, ` +
    `${exp.workload.clients} clients at ${exp.workload.rate} ops/s, ${exp.workload.keys} keys, ` +
    `${exp.workload.watchers} watchers; heartbeat ${exp.timing.heartbeatMs} ms, election ${exp.timing.electionMs} ms.` +
    `</p><h2>Unavailability per fault</h2>${availabilityTable(runs)}${runs.map(systemSection).join('')}</body></html>`;
}

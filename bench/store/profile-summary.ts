// Summarizes V8 .cpuprofile files (`node --cpu-prof`, or `flotilla bench store --profile-dir
// DIR`): self time by area of the code and the top functions by self time.
//
//   node dist/bench/store/profile-summary.js DIR/*.cpuprofile [--top 25]
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Areas by URL; the first match wins. */
const AREAS: [string, RegExp][] = [
  ['idle', /^\(idle\)$/],
  ['gc', /^\(garbage collector\)$/],
  ['program (native, unattributed)', /^\(program\)$/],
  ['store/raft', /\/store\/raft\//],
  ['store/wal', /\/store\/wal\//],
  ['store/snapshot', /\/store\/snapshot\//],
  ['store/mvcc', /\/store\/mvcc\//],
  ['store/api', /\/store\/api\//],
  ['store/transport', /\/store\/transport\//],
  ['store/server', /\/store\/server\//],
  ['@grpc/grpc-js', /node_modules\/@grpc\/grpc-js\//],
  ['protobufjs / proto-loader', /node_modules\/(protobufjs|@protobufjs|@grpc\/proto-loader)\//],
  ['msgpackr', /node_modules\/msgpackr\//],
  ['ws', /node_modules\/ws\//],
  ['pino', /node_modules\/(pino|sonic-boom|thread-stream)/],
  ['prom-client', /node_modules\/prom-client\//],
  ['other node_modules', /node_modules\//],
  ['node: internals', /^node:/],
  ['native / builtin (no url)', /^$/],
];

function areaOf(n: ProfileNode): string {
  const key = n.callFrame.url === '' && n.callFrame.functionName.startsWith('(') ? n.callFrame.functionName : n.callFrame.url;
  for (const [name, re] of AREAS) if (re.test(key)) return name;
  return 'other';
}

export interface ProfileSummary {
  file: string;
  seconds: number;
  busyFraction: number;
  areas: { area: string; ms: number; pctOfBusy: number }[];
  top: { fn: string; where: string; area: string; ms: number; pctOfBusy: number }[];
}

export function summarizeProfile(file: string, topN = 25): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const id = p.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (p.timeDeltas[i + 1] ?? 0));
  }
  const areas = new Map<string, number>();
  const fns = new Map<string, { fn: string; where: string; area: string; us: number }>();
  for (const [id, us] of selfUs) {
    const n = byId.get(id)!;
    const area = areaOf(n);
    areas.set(area, (areas.get(area) ?? 0) + us);
    const where = `${n.callFrame.url.replace(/^.*\/(dist|node_modules)\//, '$1/')}:${n.callFrame.lineNumber + 1}`;
    const key = `${n.callFrame.functionName}@${where}`;
    const f = fns.get(key) ?? { fn: n.callFrame.functionName || '(anonymous)', where, area, us: 0 };
    f.us += us;
    fns.set(key, f);
  }
  const total = [...areas.values()].reduce((a, b) => a + b, 0);
  const busy = total - (areas.get('idle') ?? 0);
  const pct = (us: number) => Math.round((us / Math.max(1, busy)) * 1000) / 10;
  return {
    file, seconds: (p.endTime - p.startTime) / 1e6, busyFraction: busy / Math.max(1, total),
    areas: [...areas].filter(([a]) => a !== 'idle').sort((a, b) => b[1] - a[1])
      .map(([area, us]) => ({ area, ms: Math.round(us / 1000), pctOfBusy: pct(us) })),
    top: [...fns.values()].filter((f) => f.area !== 'idle').sort((a, b) => b.us - a.us).slice(0, topN)
      .map((f) => ({ fn: f.fn, where: f.where, area: f.area, ms: Math.round(f.us / 1000), pctOfBusy: pct(f.us) })),
  };
}

export function profileText(s: ProfileSummary): string {
  const lines = [`${s.file}: ${s.seconds.toFixed(1)} s profiled, busy ${(s.busyFraction * 100).toFixed(0)}% of the main thread`];
  lines.push('  self time by area (% of busy):');
  for (const a of s.areas) lines.push(`    ${a.pctOfBusy.toFixed(1).padStart(5)}%  ${String(a.ms).padStart(7)} ms  ${a.area}`);
  lines.push('  top functions by self time:');
  for (const f of s.top) lines.push(`    ${f.pctOfBusy.toFixed(1).padStart(5)}%  ${String(f.ms).padStart(7)} ms  ${f.fn}  ${f.where}`);
  return lines.join('\n') + '\n';
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\/dist\//, '/dist/'));
if (isMain) {
  const args = process.argv.slice(2);
  const t = args.indexOf('--top');
  const topN = t >= 0 ? Number(args[t + 1]) : 25;
  const files = args.filter((a, i) => a !== '--top' && (t < 0 || i !== t + 1));
  if (files.length === 0) {
    process.stderr.write('usage: node dist/bench/store/profile-summary.js FILE.cpuprofile... [--top N]\n');
    process.exit(2);
  }
  for (const f of files) process.stdout.write(profileText(summarizeProfile(f, topN)) + '\n');
}

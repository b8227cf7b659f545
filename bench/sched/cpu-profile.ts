// CPU profiles of every process of a scheduling bench run, and their summary. Node refuses
// --cpu-prof in NODE_OPTIONS, which is the only way into processes the harness spawns, so this
// module is the profiler instead:
//   FLOTILLA_CPU_PROFILE_DIR=/tmp/prof NODE_OPTIONS="--import $PWD/dist/bench/sched/cpu-profile.js" \
//     npx flotilla bench sched SchedulingBasic
// writes ROLE-PID.cpuprofile per process (apiserver, store, scheduler, bench) when it exits, and
//   node dist/bench/sched/cpu-profile.js summarize /tmp/prof/apiserver-*.cpuprofile
// prints the frames with the most self time. Self time of a syscall (writev) also counts the
// time the process waited to run again after it, so it is not CPU: trust the bench's per-process
// CPU table for totals and the profile for the split.
import { Session } from 'node:inspector';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Microseconds between samples: finer costs more than it tells at these run lengths. */
const SAMPLING_INTERVAL_US = 500;
/** Frames printed by summarize. */
const TOP_FRAMES = 30;

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

function startProfiling(dir: string): void {
  const role = `${process.argv[2] ?? 'main'}-${process.pid}`;
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US });
  session.post('Profiler.start');
  let written = false;
  // The main-thread session answers synchronously, so this works in an 'exit' handler too.
  const write = (): void => {
    if (written) return;
    written = true;
    session.post('Profiler.stop', (err, r) => {
      if (!err) writeFileSync(`${dir}/${role}.cpuprofile`, JSON.stringify(r.profile));
    });
  };
  process.on('exit', write);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.prependListener(signal, write);
}

/** Self time per frame (ms), most first; idle time left out. */
export function topFrames(p: Profile, n: number = TOP_FRAMES): { frame: string; ms: number; percent: number }[] {
  const byId = new Map(p.nodes.map((x) => [x.id, x]));
  const selfUs = new Map<string, number>();
  let busyUs = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const cf = byId.get(p.samples[i]!)!.callFrame;
    if (cf.functionName === '(idle)') continue;
    const where = cf.url === '' ? '' : ` ${cf.url.replace(/^.*\/(dist|node_modules)\//, '$1/')}:${cf.lineNumber + 1}`;
    const frame = `${cf.functionName || '(anonymous)'}${where}`;
    const d = p.timeDeltas[i] ?? 0;
    selfUs.set(frame, (selfUs.get(frame) ?? 0) + d);
    busyUs += d;
  }
  return [...selfUs].sort((a, b) => b[1] - a[1]).slice(0, n)
    .map(([frame, us]) => ({ frame, ms: us / 1000, percent: (100 * us) / Math.max(1, busyUs) }));
}

const dir = process.env['FLOTILLA_CPU_PROFILE_DIR'];
if (dir !== undefined && dir !== '') startProfiling(dir);

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === 'summarize') {
  for (const file of process.argv.slice(3)) {
    const rows = topFrames(JSON.parse(readFileSync(file, 'utf8')) as Profile);
    process.stdout.write(`${basename(file)} (self time, idle excluded)\n` +
      rows.map((r) => `${r.ms.toFixed(0).padStart(8)} ms ${r.percent.toFixed(1).padStart(5)}%  ${r.frame}`).join('\n') +
      '\n');
  }
}

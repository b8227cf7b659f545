// A sub-history as a readable timeline: one line per operation in call order, a bar showing
// its interval on a common scale ('-' while pending, '?' running to the end for an unknown
// outcome), then what it did and returned.
import { CHECKER_LIMITS } from './limits.js';
import { describeInput, describeOutput, type Operation } from './history.js';

export function renderTimeline(ops: readonly Operation[]): string {
  if (ops.length === 0) return '(empty)';
  const sorted = [...ops].sort((a, b) => a.call - b.call);
  const t0 = Math.min(...sorted.map((o) => o.call));
  const t1 = Math.max(...sorted.map((o) => o.ret ?? o.call));
  const width = CHECKER_LIMITS.timelineBarChars;
  const span = Math.max(1, t1 - t0);
  const col = (t: number) => Math.min(width - 1, Math.floor(((t - t0) / span) * (width - 1)));
  const lines = sorted.map((op) => {
    const a = col(op.call);
    const b = op.ret === null ? width - 1 : col(op.ret);
    const fill = op.ret === null ? '?' : '-';
    const bar = ' '.repeat(a) + '[' + fill.repeat(Math.max(0, b - a - 1)) + (op.ret === null ? '>' : ']');
    const when = `${(op.call - t0).toFixed(1)}..${op.ret === null ? '?' : (op.ret - t0).toFixed(1)} ms`;
    return `c${String(op.client).padEnd(3)} ${bar.padEnd(width + 1)} ${when.padEnd(20)} ` +
      `#${op.id} ${describeInput(op.input)} -> ${describeOutput(op)}`;
  });
  return [`t0 = ${t0.toFixed(1)} ms into the run`, ...lines].join('\n');
}

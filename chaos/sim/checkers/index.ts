// The full checker suite the simulator runs after every step.
import type { Checker } from '../events.js';
import { AppliedMonotonic } from './applied-monotonic.js';
import { ElectionSafety } from './election-safety.js';
import { LeaderCompleteness } from './leader-completeness.js';
import { Linearizability } from './linearizability.js';
import { LogMatching } from './log-matching.js';
import { StateMachineSafety } from './state-machine-safety.js';

export function allCheckers(): Checker[] {
  return [
    new ElectionSafety(),
    new LogMatching(),
    new LeaderCompleteness(),
    new StateMachineSafety(),
    new AppliedMonotonic(),
    new Linearizability(),
  ];
}

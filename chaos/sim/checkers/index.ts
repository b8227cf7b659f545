// The full checker suite the simulator runs after every step.
import type { Checker } from '../events.js';
import { AppliedMonotonic } from './applied-monotonic.js';
import { ElectionSafety } from './election-safety.js';
import { LeaderAppendOnly } from './leader-append-only.js';
import { LeaderCompleteness } from './leader-completeness.js';
import { Linearizability } from './linearizability.js';
import { LogMatching } from './log-matching.js';
import { ProtocolRules } from './protocol-rules.js';
import { StateMachineSafety } from './state-machine-safety.js';

/**
 * 'end-to-end' checks only the properties a user can be hurt by (Figure 3's five, applied
 * indices, linearizable results); 'all' adds Figure 2's per-member rules (protocol-rules),
 * which flag a broken rule the moment it breaks, before any fault turns it into damage.
 */
export type CheckerSet = 'all' | 'end-to-end';

export function makeCheckers(set: CheckerSet = 'all'): Checker[] {
  const endToEnd: Checker[] = [
    new ElectionSafety(),
    new LeaderAppendOnly(),
    new LogMatching(),
    new LeaderCompleteness(),
    new StateMachineSafety(),
    new AppliedMonotonic(),
    new Linearizability(),
  ];
  return set === 'all' ? [...endToEnd, new ProtocolRules()] : endToEnd;
}

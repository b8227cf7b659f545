// Every bound of the history checkers, with its unit. A search that would pass a bound
// stops with an "unknown" verdict: a wrong "linearizable" would be worse than no answer.
export const CHECKER_LIMITS = Object.freeze({
  /** Operations in one key's sub-history; beyond this the key is not searched. */
  linearizabilityOpsPerKeyMax: 100_000,
  /** Wall time one key's search may take before giving up. */
  linearizabilityKeyBudgetMs: 20_000,
  /** Memoised (linearized set, state) pairs per key; bounds the search's memory. */
  linearizabilityCacheEntriesMax: 2_000_000,
  /** Wall time shrinking one failing key's sub-history may take. */
  shrinkBudgetMs: 15_000,
  /** Wall time of one check while shrinking (a check that runs out counts as "not failing"). */
  shrinkCheckBudgetMs: 2_000,
  /** Characters of a timeline's bar. */
  timelineBarChars: 60,
  /** Violations kept per checker in a report (the rest are counted). */
  violationsShownMax: 20,
});

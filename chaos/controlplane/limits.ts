// Every bound of the control-plane chaos runner, with its unit.
export const CP_LIMITS = Object.freeze({
  /** Worker nodes (process runtime) an experiment may ask for. */
  workersMax: 6,
  /** Deployments alive at once, and replicas of one. */
  deploymentsMax: 20,
  replicasMax: 30,
  /** Requests per second of each workload stream. */
  rateMax: 50,
  /** Workload requests in flight at once (further ticks are skipped: open loop, bounded). */
  inFlightMax: 32,
  /** kubectl invocations per second, and in flight at once. */
  kubectlRateMax: 5,
  kubectlInFlightMax: 4,
  /** Per-request deadline when the experiment does not set one. */
  requestTimeoutMsDefault: 3_000,
  /** `flotilla up` of the experiment's cluster. */
  clusterStartMsMax: 180_000,
  /** A restarted process must be healthy within this (else the heal is reported as failed). */
  restartHealthyMsMax: 60_000,
  /** Convergence bound when the experiment does not set one. */
  convergeWithinMsDefault: 60_000,
  /** Availability bound when the experiment does not set one. */
  maxUnavailableMsDefault: 15_000,
  /** Slack for controllers acting on a spec older than the newest write (surge checker). */
  surgeSpecLagMsDefault: 3_000,
  /** Leader lookups (store Status, Lease reads) during a fault's injection. */
  lookupTimeoutMs: 2_000,
  /** Observations kept per recorded resource (the history is kept in memory). */
  observationsMax: 200_000,
  /** Run duration bounds. */
  durationMsMin: 5_000,
  durationMsMax: 3_600_000,
});

// Every bound of the chaos runner, with its unit.
export const RUN_LIMITS = Object.freeze({
  /** Bytes of a peer connection's first HTTP request head the proxy reads to learn the dialer. */
  proxyHeadBytesMax: 16 * 1024,
  /** How long the proxy waits for that head before treating the dialer as unknown. */
  proxyHeadWaitMs: 2_000,
  /** Upper bound of an injected delay (per chunk, per direction). */
  proxyDelayMsMax: 10_000,
  /** How long a connection hit by "loss" stalls before the proxy resets it. */
  lossStallMs: 500,
  /** Status polling of every member (leader, term). */
  statusPollMs: 200,
  statusTimeoutMs: 400,
  /** Per-operation deadline when the experiment does not set one. */
  requestTimeoutMsDefault: 2_000,
  /** Clients and watchers an experiment may ask for. */
  clientsMax: 64,
  watchersMax: 16,
  /** Operations per second an experiment may ask for (all clients together). */
  rateMax: 5_000,
  /** Operations recorded in one run (the history is kept in memory). */
  opsMax: 500_000,
  /** Run duration bounds. */
  durationMsMin: 1_000,
  durationMsMax: 3_600_000,
  /** After healing: the cluster must have a leader and serve a linearizable read within this. */
  healSettleMsMax: 60_000,
  /** Watchers must catch up with the final revision within this. */
  watchCatchUpMsMax: 20_000,
  /** Cluster start (healthy + leader). */
  clusterStartMsMax: 30_000,
  /** In-flight operations get this long to finish when the workload stops. */
  drainMsMax: 10_000,
  /** Lease TTL floor (a lease must not expire during the run: expiry is not in the model). */
  leaseTtlSecondsMin: 600,
  /** Availability bound when the experiment does not set one. */
  maxUnavailableMsDefault: 15_000,
});

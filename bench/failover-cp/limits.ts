// Bounds of the control-plane failover bench in one place.

/** A scheduler / controller-manager must log its identity within this long of being spawned. */
export const CP_PROCESS_START_TIMEOUT_MS = 30_000;
/** SIGTERM, then SIGKILL after this long when stopping the cluster. */
export const CP_STOP_GRACE_MS = 5000;
/** Pods created per second while the scheduler is being killed (the brief's 20/s). */
export const SCHED_POD_CREATE_PER_S = 20;
/** Pods added to the Deployment right after each controller-manager kill. */
export const CM_SCALE_STEP = 5;
/** Give up on one failover after this long (recorded as a failure, the run goes on). */
export const FAILOVER_TIMEOUT_MS = 30_000;
/** Wait after a restart before the next kill, so the restarted standby is warm (informers listed). */
export const SETTLE_AFTER_RESTART_MS = 1500;
/** Kills at most (a sanity bound for --kills). */
export const KILLS_MAX = 1000;
/** Kills in --quick mode. */
export const QUICK_KILLS = 3;

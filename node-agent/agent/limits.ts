// Bounds of the node agent process (simulated nodes, kube-proxy, the metrics server).

/** Simulated nodes one agent process hosts. */
export const SIM_NODES_MAX = 20_000;
/** Nodes registered at once when a simulated fleet starts. */
export const SIM_REGISTER_CONCURRENCY = 32;
/** Workers writing simulated pods' statuses. */
export const SIM_POD_WORKERS = 16;
/** Lease renewals, node status reports and pod writes of simulated nodes in flight at once. */
export const SIM_WRITES_IN_FLIGHT_MAX = 64;
/** The heartbeat ticker's period: each tick renews its share of the leases. */
export const SIM_TICK_MS = 100;
/** Client rate limit of a simulated fleet (a real kubelet keeps the client's defaults, 50 qps / 100 burst). */
export const SIM_CLIENT_QPS = 2_000;
export const SIM_CLIENT_BURST = 4_000;

/** kube-proxy: changes are applied at most this often (--iptables-min-sync-period, 1 s). */
export const PROXY_MIN_SYNC_PERIOD_MS = 1_000;
/** kube-proxy: a full resync even without changes (--iptables-sync-period, 30 s). */
export const PROXY_SYNC_PERIOD_MS = 30_000;

/** The metrics/health server's port (kubelet's healthz port is 10248). */
export const DEFAULT_METRICS_PORT = 10248;
/** After SIGTERM the agent exits anyway after this long. */
export const SHUTDOWN_TIMEOUT_MS = 15_000;

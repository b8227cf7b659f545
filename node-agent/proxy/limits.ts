// Every bound of the userspace service proxy in one place, units last in the names.

/** Open connections per service port; more are reset at once (ours: kube-proxy's iptables has none, conntrack does). */
export const CONNECTIONS_PER_SERVICE_PORT_MAX = 4_096;

/** Listeners one proxy keeps (service ports × cluster IP and node port). */
export const LISTENERS_MAX = 20_000;

/** Endpoints tried for one connection when dialing fails (the old userspace kube-proxy tried several too). */
export const DIAL_ATTEMPTS_MAX = 3;

/** How long to wait for a backend to accept the connection. */
export const DIAL_TIMEOUT_MS = 5_000;

/** Client IPs remembered per service port for sessionAffinity ClientIP; the oldest is forgotten first. */
export const AFFINITY_ENTRIES_MAX = 10_000;

/** Kubernetes' default sessionAffinityConfig.clientIP.timeoutSeconds (3 hours). */
export const AFFINITY_TIMEOUT_SECONDS_DEFAULT = 10_800;

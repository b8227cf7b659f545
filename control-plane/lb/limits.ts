// Every bound and default of the load balancer in one place, units last in the names.
// Flags may change the defaults inside the [min, max] ranges below; anything else is fixed.

/** Default time between two health probes of one backend (HAProxy `inter`). */
export const HEALTH_INTERVAL_MS_DEFAULT = 250;
/** A probe that has no response headers after this long fails (HAProxy `timeout check`). */
export const HEALTH_TIMEOUT_MS_DEFAULT = 200;
/** Consecutive failed probes that take an up backend out of rotation (HAProxy `fall`). */
export const HEALTH_FALL_DEFAULT = 2;
/** Consecutive passed probes that bring a down backend back (HAProxy `rise`). */
export const HEALTH_RISE_DEFAULT = 2;
export const HEALTH_INTERVAL_MS_MIN = 10;
export const HEALTH_INTERVAL_MS_MAX = 60 * 60 * 1000;
export const HEALTH_TIMEOUT_MS_MIN = 1;
export const HEALTH_TIMEOUT_MS_MAX = 60 * 1000;
/** Upper bound of --fall and --rise. */
export const HEALTH_THRESHOLD_MAX = 100;
/** Longest --health-path, in characters. */
export const HEALTH_PATH_MAX_CHARS = 1024;
/** Largest --health-ca file read, in bytes. */
export const HEALTH_CA_FILE_MAX_BYTES = 1024 * 1024;
/** Longest failure detail kept in a log line (an error message from the network stack). */
export const HEALTH_REASON_MAX_CHARS = 256;

/** Most backends one load balancer fronts. */
export const BACKENDS_MAX = 64;
/** Default and largest --max-connections: client connections proxied at once (each holds two sockets). */
export const CONNECTIONS_MAX_DEFAULT = 4096;
export const CONNECTIONS_MAX_LIMIT = 65_536;
/** A backend connect that has not completed after this long fails and the next backend is tried. */
export const CONNECT_TIMEOUT_MS_DEFAULT = 1000;
export const CONNECT_TIMEOUT_MS_MAX = 60 * 1000;
/** Most backends one client connection tries before it is closed (each backend at most once). */
export const CONNECT_ATTEMPTS_MAX = 3;
/** A proxied connection with no bytes in either direction for this long is closed (HAProxy `timeout client/server`). */
export const CONNECTION_IDLE_TIMEOUT_MS = 60 * 60 * 1000;
/**
 * Once either side has half-closed (sent FIN) or gone, the rest of the connection must finish within this long
 * (HAProxy `timeout client-fin/server-fin`), so a peer that never closes its half cannot pin a slot forever.
 */
export const CONNECTION_HALF_CLOSED_TIMEOUT_MS = 60 * 1000;
/** TCP keepalive probes start after this much idle time on both sockets of a proxied connection. */
export const TCP_KEEPALIVE_INITIAL_DELAY_MS = 30 * 1000;

/** Default and largest --grace-period: how long SIGTERM waits for active connections before closing them. */
export const SHUTDOWN_GRACE_MS_DEFAULT = 10 * 1000;
export const SHUTDOWN_GRACE_MS_MAX = 10 * 60 * 1000;
/** After the grace period, the process exits 1 if shutdown has still not finished after this much more. */
export const SHUTDOWN_FORCE_EXIT_AFTER_GRACE_MS = 5 * 1000;

/** The admin server (/metrics, /livez, /readyz) holds at most this many connections. */
export const ADMIN_CONNECTIONS_MAX = 64;
/** An admin request must arrive in full within this long. */
export const ADMIN_REQUEST_TIMEOUT_MS = 5 * 1000;

/** A repeated warning (refused connections, connect errors) is logged at most once per interval per key. */
export const LOG_REPEAT_INTERVAL_MS = 10 * 1000;
/** Most distinct keys the repeated-warning limiter remembers. */
export const LOG_REPEAT_KEYS_MAX = 256;

/** Longest duration flag value accepted, in characters (before parsing). */
export const DURATION_TEXT_MAX_CHARS = 32;

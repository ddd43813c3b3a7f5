/** Where the balancer listens unless haproxy.cfg's `global` says `health-socket PATH [mode OCTAL]`. */
export const DEFAULT_HEALTH_SOCKET = '/run/balancer/health.sock';

/** Permission bits of the socket file unless `health-socket … mode OCTAL` says otherwise. */
export const DEFAULT_HEALTH_SOCKET_MODE = 0o660;

/**
 * How often the watch stream carries a heartbeat, in milliseconds. The agent declares the balancer hung
 * when nothing arrived for `heartbeat_timeout` (vrrp_track_balancer, default 1 s = 5 missed heartbeats).
 */
export const HEARTBEAT_INTERVAL_MS = 200;

/** One-shot state: `GET /health`. */
export const HEALTH_PATH = '/health';

/** Held stream of newline-delimited JSON events: `GET /health/watch`. */
export const WATCH_PATH = '/health/watch';

/**
 * `POST /health/successor` with `{"pid":N}`: a new balancer process taking over with `-sf`/`-st` tells
 * the running one, before signalling it, so that its watchers get `replaced` instead of `stopping`.
 */
export const SUCCESSOR_PATH = '/health/successor';

/**
 * How long a watcher that got `replaced` waits for the new process to serve the socket (ms): the new
 * process already serves the listeners and only has to bind the socket once the old one closed it.
 */
export const REPLACED_GRACE_MS = 3000;

export const HEALTH_CONTENT_TYPE = 'application/json';
export const WATCH_CONTENT_TYPE = 'application/x-ndjson';

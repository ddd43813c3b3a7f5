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

export const HEALTH_CONTENT_TYPE = 'application/json';
export const WATCH_CONTENT_TYPE = 'application/x-ndjson';

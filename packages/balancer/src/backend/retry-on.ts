/**
 * `retry-on` (HAProxy 2.6 proxy.c proxy_parse_retry_on): the events a request is retried for, as a
 * bit set resolved once at start. `conn-failure` (the default) retries failed connections; the others
 * are layer-7 retries of a request that was sent: the server closed without answering
 * (`empty-response`), sent something that is not a response (`junk-response`), did not answer within
 * `timeout server` (`response-timeout`), or answered one of the listed statuses. A layer-7 retry
 * replays the request, so only a request kept whole (`Transaction.replay`) is retried.
 */
export const RE_CONN_FAILED = 1 << 0;
export const RE_DISCONNECTED = 1 << 1;
export const RE_JUNK_REQUEST = 1 << 2;
export const RE_TIMEOUT = 1 << 3;
export const RE_EARLY_ERROR = 1 << 4;
export const RE_404 = 1 << 5;
export const RE_408 = 1 << 6;
export const RE_425 = 1 << 7;
export const RE_500 = 1 << 8;
export const RE_501 = 1 << 9;
export const RE_502 = 1 << 10;
export const RE_503 = 1 << 11;
export const RE_504 = 1 << 12;

const STATUS_BITS: Record<number, number> = {
  404: RE_404,
  408: RE_408,
  425: RE_425,
  500: RE_500,
  501: RE_501,
  502: RE_502,
  503: RE_503,
  504: RE_504,
};

/** the layer-7 events (anything beyond conn-failure needs the request kept for a replay) */
export const RE_L7 = ~RE_CONN_FAILED;

const KEYWORDS: Record<string, number> = {
  'conn-failure': RE_CONN_FAILED,
  'empty-response': RE_DISCONNECTED,
  'junk-response': RE_JUNK_REQUEST,
  'response-timeout': RE_TIMEOUT,
  '0rtt-rejected': RE_EARLY_ERROR,
  // HAProxy 2.6: conn-failure, empty-response, junk-response, response-timeout, 0rtt-rejected, 500 502 503 504
  'all-retryable-errors':
    RE_CONN_FAILED |
    RE_DISCONNECTED |
    RE_JUNK_REQUEST |
    RE_TIMEOUT |
    RE_EARLY_ERROR |
    RE_500 |
    RE_502 |
    RE_503 |
    RE_504,
};

/** The bit set of `retry-on` words (already validated by the parser); `none` clears what came before it. */
export function retryOnOf(words: readonly string[]): number {
  let bits = 0;
  for (const w of words) {
    if (w === 'none') {
      bits = 0;
      continue;
    }
    const status = Number(w);
    bits |= Number.isInteger(status) ? (STATUS_BITS[status] ?? 0) : (KEYWORDS[w] ?? 0);
  }
  return bits;
}

/** Is a response with `status` retried (l7_status_match)? */
export function retriesStatus(bits: number, status: number): boolean {
  if (status < 404 || status > 504) return false;
  const b = STATUS_BITS[status];
  return b !== undefined && (bits & b) !== 0;
}

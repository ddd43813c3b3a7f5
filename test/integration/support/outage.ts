// What the client saw during a scenario, from its per-request results (client-loop.ts lines).

export interface RequestResult {
  /** epoch ms */
  start: number;
  end: number;
  ok: boolean;
  status?: number;
  /** the web node that answered */
  by?: string;
  /** the front node (balancer) the request went through */
  via?: string;
  error?: string;
  /** with a cookie (client-loop.ts COOKIE): the value sent, and the one a Set-Cookie gave (or null) */
  sent?: string | null;
  set?: string | null;
  /** a failed request's connection: the client's port (null: none), ms to its handshake, answer bytes */
  port?: number | null;
  connected?: number | null;
  got?: number;
}

export interface OutageSummary {
  requests: number;
  failed: number;
  /**
   * From the start of the first failed request to the end of the first successful request after the
   * last failure (0 when nothing failed): the whole window in which the client could not be served.
   */
  outageMs: number;
  /** the slowest request, failed or not (a request held by SYN retransmission shows here) */
  longestMs: number;
  /** errors by kind (ECONNREFUSED, timeout, status 503…) */
  errors: Record<string, number>;
  /** true when the last request succeeded (traffic flows again) */
  recovered: boolean;
}

/**
 * The summary of the requests still running at `since` (epoch ms) or started after it: a request in
 * flight when a process was killed counts, whether it failed or was finished by someone else.
 */
export function summarize(results: readonly RequestResult[], since = 0): OutageSummary {
  const rs = results.filter((r) => r.end >= since);
  const failedAt = rs.map((r, i) => (r.ok ? -1 : i)).filter((i) => i >= 0);
  const errors: Record<string, number> = {};
  for (const r of rs) if (!r.ok) errors[r.error ?? 'failed'] = (errors[r.error ?? 'failed'] ?? 0) + 1;
  let outageMs = 0;
  if (failedAt.length > 0) {
    const first = rs[failedAt[0]];
    const last = failedAt[failedAt.length - 1];
    const back = rs.slice(last + 1).find((r) => r.ok);
    outageMs = (back ? back.end : rs[rs.length - 1].end) - first.start;
  }
  return {
    requests: rs.length,
    failed: failedAt.length,
    outageMs,
    longestMs: rs.reduce((m, r) => Math.max(m, r.end - r.start), 0),
    errors,
    recovered: rs.length > 0 && rs[rs.length - 1].ok,
  };
}

/** `outage 612 ms, 27 failed of 180 (ECONNREFUSED 27), longest 1004 ms` */
export function formatSummary(s: OutageSummary): string {
  const errs = Object.entries(s.errors)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return `outage ${Math.round(s.outageMs)} ms, ${s.failed} failed of ${s.requests}${errs ? ` (${errs})` : ''}, longest ${Math.round(s.longestMs)} ms`;
}

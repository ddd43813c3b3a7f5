/**
 * The exporter's own requests in the frontend's counters, as HAProxy 2.6 counts them: a frontend
 * whose only traffic is scrapes (`http-request use-service prometheus-exporter`), N scrapes on their
 * own connections, then the frontend's counters read twice — by one more scrape (the exporter's view,
 * the scrape in progress included as HAProxy includes it) and by `show stat` on the stats socket —
 * each as the change from a `show stat` taken before the scrapes (the start-up probe's connection is
 * not what is compared).
 * Recorded from haproxy by self-count-record.ts into self-count-expected.json; compared by
 * self-count.test.ts.
 */
import { join } from 'node:path';
import { makeTempDir } from '../support/env.ts';
import { freePorts } from '../support/ports.ts';
import { type ProxyKind, startProxy } from '../support/proc.ts';
import { exchange } from '../support/raw-client.ts';
import { statsCommand } from '../support/stats-socket.ts';

export const SCRAPES = 3;

/** The frontend's exporter samples compared (name → value). */
const FAMILIES =
  /^haproxy_frontend_(current_sessions|sessions_total|connections_total|http_requests_total|http_responses_total|intercepted_requests_total|requests_denied_total|request_errors_total|denied_connections_total)\{proxy="fe"/;

/** `show stat` columns compared for the FRONTEND row of `fe`. */
const COLUMNS = [
  'scur',
  'stot',
  'req_tot',
  'conn_tot',
  'hrsp_1xx',
  'hrsp_2xx',
  'hrsp_3xx',
  'hrsp_4xx',
  'hrsp_5xx',
  'hrsp_other',
  'intercepted',
  'dreq',
  'ereq',
];

export interface SelfCount {
  /** the last scrape's samples for `fe` */
  exporter: Record<string, string>;
  /** `show stat` afterwards: fe's FRONTEND row */
  showStat: Record<string, string>;
}

export async function runSelfCount(kind: ProxyKind): Promise<SelfCount> {
  const tmp = makeTempDir('promex-self');
  const sock = join(tmp.dir, 'stats.sock');
  const [fe] = await freePorts(1);
  const cfg = `global\n    nbthread 1\n    stats socket ${sock} mode 600 level admin\ndefaults\n    mode http\n    timeout connect 1s\n    timeout client 3s\n    timeout server 3s\nfrontend fe\n    bind 127.0.0.1:${fe}\n    http-request use-service prometheus-exporter if { path /metrics }\n`;
  const proxy = await startProxy(kind, cfg, [fe]);
  const scrape = async (path: string) =>
    (await exchange(fe, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, { ms: 4000 })).text ??
    '';
  const frontendRow = async () => {
    const csv = (await statsCommand(sock, 'show stat')).split('\n');
    const header = csv[0].replace(/^# /, '').split(',');
    const row = csv.find((l) => l.startsWith('fe,FRONTEND,'))?.split(',') ?? [];
    return (c: string) => Number(row[header.indexOf(c)] ?? Number.NaN);
  };
  /** the exporter's family of a `show stat` column */
  const COLUMN_OF: Record<string, string> = {
    current_sessions: 'scur',
    sessions_total: 'stot',
    connections_total: 'conn_tot',
    http_requests_total: 'req_tot',
    intercepted_requests_total: 'intercepted',
    requests_denied_total: 'dreq',
    request_errors_total: 'ereq',
    denied_connections_total: 'dcon',
  };
  try {
    const before = await frontendRow();
    for (let i = 0; i < SCRAPES; i++) await scrape('/metrics');
    const exporter: Record<string, string> = {};
    for (const line of (await scrape('/metrics?scope=frontend')).split('\n')) {
      const m = /^(\S+) (\S+)\r?$/.exec(line);
      if (m === null || !FAMILIES.test(m[1])) continue;
      const fam = /^haproxy_frontend_(\w+)\{/.exec(m[1])![1];
      const code = /code="(\w+)"/.exec(m[1])?.[1];
      const col = code !== undefined ? `hrsp_${code}` : COLUMN_OF[fam];
      exporter[m[1]] = col === 'scur' ? m[2] : String(Number(m[2]) - before(col));
    }
    const after = await frontendRow();
    const showStat: Record<string, string> = {};
    for (const c of COLUMNS) showStat[c] = String(c === 'scur' ? after(c) : after(c) - before(c));
    return { exporter, showStat };
  } finally {
    await proxy.stop();
    tmp.remove();
  }
}

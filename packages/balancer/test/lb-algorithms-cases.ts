/**
 * The differential table for load-balancing algorithms: for each row, a backend (`balance`, `hash-type`,
 * server weights…) and a sequence of requests or connections; the outcome is which server got each one.
 * HAProxy 2.6's outcomes are recorded in lb-algorithms-expected.json by lb-algorithms-record.ts and the
 * balancer must give the same (lb-algorithms.test.ts). Deterministic algorithms only: random is not here.
 */

export type LbStep =
  /** an HTTP request on its own connection (Connection: close) */
  | {
      kind: 'get';
      target: string;
      method?: 'GET' | 'POST';
      headers?: [string, string][];
      body?: string;
      /** the client's source address (127.0.0.0/8) */
      source?: string;
    }
  /** mode tcp: open a connection and keep it (the server says its name) */
  | { kind: 'open'; id: string; source?: string }
  /** mode tcp: close a connection opened before, and wait until the server saw it go */
  | { kind: 'close'; id: string };

export interface LbCase {
  id: string;
  what: string;
  mode: 'http' | 'tcp';
  /** lines of the listen section before the servers */
  lines: string[];
  /**
   * `server NAME … EXTRA` for each server, in order; `refuse`: nothing listens on its port (connections
   * refused while the proxy, without checks, still takes it for up)
   */
  servers: { name: string; extra?: string; refuse?: boolean }[];
  steps: LbStep[];
}

const gets = (targets: string[], extra: Partial<Extract<LbStep, { kind: 'get' }>> = {}): LbStep[] =>
  targets.map((target) => ({ kind: 'get', target, ...extra }));
const times = (n: number, target = '/'): LbStep[] => gets(Array.from({ length: n }, () => target));
const weighted = (...w: number[]) => w.map((weight, i) => ({ name: `s${i + 1}`, extra: `weight ${weight}` }));

const PATHS = [
  '/',
  '/index.html',
  '/a',
  '/b',
  '/c',
  '/img/logo.png',
  '/img/bg.jpg',
  '/css/site.css',
  '/js/app.js',
  '/api/v1/users',
  '/api/v1/users/42',
  '/api/v2/orders?id=7',
  '/search?q=haproxy',
  '/search?q=balancer',
  '/static/fonts/x.woff2',
  '/favicon.ico',
  '/robots.txt',
  '/blog/2024/01/hello',
  '/blog/2024/02/world',
  '/docs/configuration.html',
  '/x/y/z/w',
  '/very/long/path/with/many/segments/here.html',
  '/q?a=1&b=2',
  '/%7Euser/home',
  '/UPPER/Case',
];

const HASH_SERVERS = weighted(1, 2, 3);
/** an absolute-form target needs a Host header that agrees with it */
const ABS = { headers: [['Host', 'example.com']] as [string, string][] };

function uriRows(): LbCase[] {
  const rows: LbCase[] = [];
  for (const method of ['map-based', 'consistent'])
    for (const fn of ['sdbm', 'djb2', 'wt6', 'crc32'])
      for (const aval of ['', ' avalanche']) {
        if (fn !== 'sdbm' && aval) continue;
        rows.push({
          id: `uri-${method}-${fn}${aval ? '-avalanche' : ''}`,
          what: `balance uri, hash-type ${method} ${fn}${aval}, weights 1 2 3`,
          mode: 'http',
          lines: ['balance uri', `hash-type ${method} ${fn}${aval}`],
          servers: HASH_SERVERS,
          steps: gets(PATHS),
        });
      }
  return rows;
}

const PARAMS = Array.from({ length: 20 }, (_, i) => `/p?x=1&user=u${i * 7}&y=2`);
const HEADER_VALUES = [
  'alpha',
  'beta',
  'gamma',
  'delta',
  'epsilon',
  'zeta',
  'eta',
  'theta',
  'iota',
  'kappa',
  'lambda',
  'mu',
  'a, b',
  'b, a',
  '  spaced  ',
];
const HOSTS = [
  'www.example.com',
  'example.com',
  'api.example.com',
  'www.other.org',
  'shop.other.org',
  'localhost',
  'a.b.c.d.e',
  'foo.bar',
  'x.y',
  'www.haproxy.org',
];
const SOURCES = Array.from({ length: 16 }, (_, i) => `127.${i * 13 + 1}.${i * 7}.${((i * 31) % 250) + 2}`);

export const CASES: LbCase[] = [
  {
    id: 'roundrobin-1-2-3',
    what: 'balance roundrobin, weights 1 2 3: the order of 24 requests',
    mode: 'http',
    lines: ['balance roundrobin'],
    servers: weighted(1, 2, 3),
    steps: times(24),
  },
  {
    id: 'roundrobin-5-1-1',
    what: 'balance roundrobin, weights 5 1 1',
    mode: 'http',
    lines: ['balance roundrobin'],
    servers: weighted(5, 1, 1),
    steps: times(21),
  },
  {
    id: 'roundrobin-equal-0',
    what: 'balance roundrobin, weights 1 1 0 1 1 (weight 0 takes nothing)',
    mode: 'http',
    lines: ['balance roundrobin'],
    servers: weighted(1, 1, 0, 1, 1),
    steps: times(12),
  },
  {
    id: 'roundrobin-100-50-7',
    what: 'balance roundrobin, weights 100 50 7',
    mode: 'http',
    lines: ['balance roundrobin'],
    servers: weighted(100, 50, 7),
    steps: times(40),
  },
  {
    id: 'roundrobin-backups',
    what: 'balance roundrobin, active servers disabled: only the first backup serves',
    mode: 'http',
    lines: ['balance roundrobin'],
    servers: [
      { name: 'a', extra: 'disabled' },
      { name: 'bk1', extra: 'backup weight 1' },
      { name: 'bk2', extra: 'backup weight 3' },
    ],
    steps: times(6),
  },
  {
    id: 'roundrobin-allbackups',
    what: 'balance roundrobin, option allbackups, active servers disabled: backups 1 3',
    mode: 'http',
    lines: ['balance roundrobin', 'option allbackups'],
    servers: [
      { name: 'a', extra: 'disabled' },
      { name: 'bk1', extra: 'backup weight 1' },
      { name: 'bk2', extra: 'backup weight 3' },
    ],
    steps: times(8),
  },
  {
    id: 'static-rr-1-2-3',
    what: 'balance static-rr, weights 1 2 3',
    mode: 'http',
    lines: ['balance static-rr'],
    servers: weighted(1, 2, 3),
    steps: times(24),
  },
  {
    id: 'static-rr-4-6-10',
    what: 'balance static-rr, weights 4 6 10 (divided by their GCD)',
    mode: 'http',
    lines: ['balance static-rr'],
    servers: weighted(4, 6, 10),
    steps: times(20),
  },
  {
    id: 'first-maxconn',
    what: 'balance first, mode tcp, maxconn 2 each: a server fills up before the next is used',
    mode: 'tcp',
    lines: ['balance first'],
    servers: [
      { name: 's1', extra: 'maxconn 2' },
      { name: 's2', extra: 'maxconn 2' },
      { name: 's3', extra: 'maxconn 2' },
    ],
    steps: [
      { kind: 'open', id: 'a' },
      { kind: 'open', id: 'b' },
      { kind: 'open', id: 'c' },
      { kind: 'open', id: 'd' },
      { kind: 'open', id: 'e' },
      { kind: 'close', id: 'b' },
      { kind: 'open', id: 'f' },
      { kind: 'close', id: 'a' },
      { kind: 'close', id: 'c' },
      { kind: 'open', id: 'g' },
      { kind: 'open', id: 'h' },
    ],
  },
  {
    id: 'leastconn-tcp',
    what: 'balance leastconn, mode tcp, weights 1 1 2, connections held and closed',
    mode: 'tcp',
    lines: ['balance leastconn'],
    servers: weighted(1, 1, 2),
    steps: [
      { kind: 'open', id: 'a' },
      { kind: 'open', id: 'b' },
      { kind: 'open', id: 'c' },
      { kind: 'open', id: 'd' },
      { kind: 'open', id: 'e' },
      { kind: 'close', id: 'a' },
      { kind: 'open', id: 'f' },
      { kind: 'close', id: 'c' },
      { kind: 'close', id: 'd' },
      { kind: 'open', id: 'g' },
      { kind: 'open', id: 'h' },
      { kind: 'open', id: 'i' },
    ],
  },
  {
    id: 'leastconn-sequential',
    what: 'balance leastconn, sequential requests (all idle: equal loads rotate)',
    mode: 'http',
    lines: ['balance leastconn'],
    servers: weighted(1, 1, 1),
    steps: times(7),
  },
  ...uriRows(),
  {
    id: 'uri-whole',
    what: 'balance uri whole (the query string is hashed too)',
    mode: 'http',
    lines: ['balance uri whole'],
    servers: HASH_SERVERS,
    steps: gets(PATHS),
  },
  {
    id: 'uri-len-depth',
    what: 'balance uri len 8 depth 2',
    mode: 'http',
    lines: ['balance uri len 8 depth 2'],
    servers: HASH_SERVERS,
    steps: gets(PATHS),
  },
  {
    id: 'uri-path-only',
    what: 'balance uri path-only, absolute-form targets',
    mode: 'http',
    lines: ['balance uri path-only', 'hash-type consistent'],
    servers: HASH_SERVERS,
    steps: [
      ...gets(
        PATHS.slice(0, 8).map((p) => `http://example.com${p}`),
        ABS,
      ),
      ...gets(PATHS.slice(0, 8)),
    ],
  },
  {
    id: 'uri-absolute',
    what: 'balance uri, absolute-form targets (scheme and authority are hashed)',
    mode: 'http',
    lines: ['balance uri'],
    servers: HASH_SERVERS,
    steps: gets(
      PATHS.slice(0, 8).map((p) => `http://example.com${p}`),
      ABS,
    ),
  },
  {
    id: 'uri-consistent-4',
    what: 'balance uri, hash-type consistent, 4 servers',
    mode: 'http',
    lines: ['balance uri', 'hash-type consistent'],
    servers: weighted(1, 1, 1, 1),
    steps: gets(PATHS),
  },
  {
    id: 'uri-consistent-4-one-down',
    what: 'the same with s3 disabled: only s3’s keys move',
    mode: 'http',
    lines: ['balance uri', 'hash-type consistent'],
    servers: [
      { name: 's1', extra: 'weight 1' },
      { name: 's2', extra: 'weight 1' },
      { name: 's3', extra: 'weight 1 disabled' },
      { name: 's4', extra: 'weight 1' },
    ],
    steps: gets(PATHS),
  },
  {
    id: 'uri-consistent-redispatch',
    what: 'balance uri, hash-type consistent, s2 refusing, retries 1 + option redispatch: the last attempt re-hashes, skipping s2 on the ring',
    mode: 'http',
    lines: ['balance uri', 'hash-type consistent', 'retries 1', 'option redispatch'],
    servers: [{ name: 's1' }, { name: 's2', refuse: true }, { name: 's3' }, { name: 's4' }],
    steps: gets(PATHS),
  },
  {
    id: 'uri-map-redispatch',
    what: 'balance uri (map-based), s2 refusing, retries 1 + option redispatch: the re-hash finds s2 again (a map lookup avoids no server)',
    mode: 'http',
    lines: ['balance uri', 'retries 1', 'option redispatch'],
    servers: [{ name: 's1' }, { name: 's2', refuse: true }, { name: 's3' }, { name: 's4' }],
    steps: gets(PATHS),
  },
  {
    id: 'hdr-consistent-redispatch',
    what: 'balance hdr(x-user), hash-type consistent, s1 refusing, retries 1 + option redispatch',
    mode: 'http',
    lines: ['balance hdr(x-user)', 'hash-type consistent', 'retries 1', 'option redispatch'],
    servers: [{ name: 's1', refuse: true }, { name: 's2' }, { name: 's3' }],
    steps: ['ann', 'bob', 'cid', 'dan', 'eve', 'fay', 'gus', 'hal', 'ivy', 'jon'].map((u) => ({
      kind: 'get' as const,
      target: '/',
      headers: [['X-User', u] as [string, string]],
    })),
  },
  {
    id: 'uri-consistent-ids',
    what: 'balance uri, hash-type consistent, explicit server ids',
    mode: 'http',
    lines: ['balance uri', 'hash-type consistent'],
    servers: [{ name: 's1', extra: 'id 10' }, { name: 's2' }, { name: 's3', extra: 'id 1' }],
    steps: gets(PATHS),
  },
  {
    id: 'url_param-map',
    what: 'balance url_param user (map-based)',
    mode: 'http',
    lines: ['balance url_param user'],
    servers: HASH_SERVERS,
    steps: gets(PARAMS),
  },
  {
    id: 'url_param-consistent',
    what: 'balance url_param user, hash-type consistent',
    mode: 'http',
    lines: ['balance url_param user', 'hash-type consistent'],
    servers: HASH_SERVERS,
    steps: gets(PARAMS),
  },
  {
    id: 'url_param-post',
    what: 'balance url_param user check_post: POST bodies',
    mode: 'http',
    lines: ['balance url_param user check_post'],
    servers: HASH_SERVERS,
    steps: PARAMS.slice(0, 10).map((p) => ({
      kind: 'get',
      target: '/form',
      method: 'POST',
      headers: [['Content-Type', 'application/x-www-form-urlencoded']],
      body: p.slice(3),
    })),
  },
  {
    id: 'hdr-map',
    what: 'balance hdr(X-Key)',
    mode: 'http',
    lines: ['balance hdr(X-Key)'],
    servers: HASH_SERVERS,
    steps: HEADER_VALUES.map((v) => ({ kind: 'get', target: '/', headers: [['X-Key', v]] })),
  },
  {
    id: 'hdr-consistent-avalanche',
    what: 'balance hdr(X-Key), hash-type consistent djb2 avalanche',
    mode: 'http',
    lines: ['balance hdr(X-Key)', 'hash-type consistent djb2 avalanche'],
    servers: HASH_SERVERS,
    steps: HEADER_VALUES.map((v) => ({ kind: 'get', target: '/', headers: [['X-Key', v]] })),
  },
  {
    id: 'hdr-host-domain-only',
    what: 'balance hdr(Host) use_domain_only',
    mode: 'http',
    lines: ['balance hdr(Host) use_domain_only'],
    servers: HASH_SERVERS,
    steps: HOSTS.map((v) => ({ kind: 'get', target: '/', headers: [['Host', v]] })),
  },
  {
    id: 'source-map',
    what: 'balance source (map-based)',
    mode: 'http',
    lines: ['balance source'],
    servers: HASH_SERVERS,
    steps: SOURCES.map((source) => ({ kind: 'get', target: '/', source })),
  },
  {
    id: 'source-consistent',
    what: 'balance source, hash-type consistent',
    mode: 'http',
    lines: ['balance source', 'hash-type consistent'],
    servers: HASH_SERVERS,
    steps: SOURCES.map((source) => ({ kind: 'get', target: '/', source })),
  },
  {
    id: 'source-tcp-avalanche',
    what: 'balance source, mode tcp, hash-type map-based avalanche',
    mode: 'tcp',
    lines: ['balance source', 'hash-type map-based sdbm avalanche'],
    servers: HASH_SERVERS,
    steps: SOURCES.flatMap((source, i): LbStep[] => [
      { kind: 'open', id: `c${i}`, source },
      { kind: 'close', id: `c${i}` },
    ]),
  },
];

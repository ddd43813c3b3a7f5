/**
 * The cookie-persistence table: each case is a `listen` section's cookie settings and servers, and a
 * sequence of requests; what HAProxy 2.6 did with each request (which server got it, the head it got,
 * the head the client got back) is recorded by record.ts into expected.json, and cookie.test.ts runs
 * the balancer on the same case and compares. The expectations are never written by hand.
 *
 * Requests may carry `{date:N}`: a cookie date N seconds from now (HAProxy's 5-character form), so
 * maxidle/maxlife cases do not depend on when they run; dates in what the servers and clients see are
 * compared the same way (run.ts normalises them back to `{date:N}`).
 */

export interface ResponseVariant {
  /** status line after `HTTP/1.1 `, default `200 OK` */
  status?: string;
  /** extra header lines the server sends */
  headers?: string[];
}

export interface CaseRequest {
  method?: string;
  /** header lines besides Host (which is always `Host: x`) */
  headers?: string[];
  /** index in the case's `responses` the server answers with (default 0) */
  respond?: number;
}

export interface CookieCase {
  id: string;
  what: string;
  /** lines of the listen section after `balance roundrobin` (cookie, options) */
  backend: string[];
  /** server lines after the address (e.g. `cookie A`); web1, web2, … in order */
  servers: string[];
  /** fixed server addresses (the dynamic cookie hashes the address); default: free loopback ports */
  addresses?: string[];
  /** servers put in maintenance before the requests (HAProxy: `disable server`) */
  down?: string[];
  responses?: ResponseVariant[];
  requests: CaseRequest[];
  /** send every request on one client connection (default: one connection each) */
  sameConnection?: boolean;
}

const SEED_COOKIE = 'cookie SESSION_ID insert indirect nocache';
const AB = ['cookie A', 'cookie B'];
const C = (v: string): CaseRequest => ({ headers: [`Cookie: ${v}`] });
const FRESH: ResponseVariant = { headers: ['Cache-Control: max-age=60'] };

export const CASES: CookieCase[] = [
  {
    id: 'insert-first',
    what: 'no cookie: round-robin, and the chosen server is set (no Cache-Control: the response is not cacheable)',
    backend: [SEED_COOKIE],
    servers: AB,
    requests: [{}, {}, {}],
  },
  {
    id: 'insert-repeat',
    what: 'a valid cookie goes to its server, is removed (indirect) and not set again; balancing is not advanced',
    backend: [SEED_COOKIE],
    servers: AB,
    requests: [C('SESSION_ID=A'), C('SESSION_ID=B'), C('SESSION_ID=B'), {}, {}],
  },
  {
    id: 'insert-mixed',
    what: 'our cookie among others: removed from the header with HAProxy spacing, the others kept',
    backend: [SEED_COOKIE],
    servers: AB,
    requests: [
      C('a=1; SESSION_ID=B; b=2'),
      C('SESSION_ID=A; x=y'),
      C('x=y; SESSION_ID=A'),
      C('x=y;SESSION_ID=B;z=1'),
      C('x=y ; SESSION_ID=A'),
      C('a = b ;SESSION_ID=A;c=d, e=f'),
      C('$Version=1; SESSION_ID=A; $Path=/'),
      C('$Version=1; SESSION_ID=A; $Path=/; k=v'),
      C('flag; SESSION_ID=B'),
      C('SESSION_ID=B; flag'),
      { headers: ['Cookie: x=1 ; SESSION_ID=A', 'Cookie: SESSION_ID=B'] },
      { headers: ['Cookie: a=1', 'Cookie: SESSION_ID=B; b=2'] },
      C('SESSION_ID=Z, k=v'),
      C('SESSION_ID=A; SESSION_ID=B'),
      C('a=1;  SESSION_ID=B  ;  b=2'),
      C('q="x;y"; SESSION_ID=B'),
      C('a=1, SESSION_ID=A'),
    ],
  },
  {
    id: 'insert-unknown',
    what: 'an unknown, empty or differently-cased cookie: balanced, removed, and the chosen server is set',
    backend: [SEED_COOKIE],
    servers: AB,
    requests: [C('SESSION_ID=Z'), C('SESSION_ID='), C('session_id=A'), C('SESSION_ID=a'), C('SESSION_ID')],
  },
  {
    id: 'insert-down',
    what: 'a cookie naming a DOWN (maintenance) server is balanced to another one and re-set',
    backend: [SEED_COOKIE],
    servers: AB,
    down: ['web2'],
    requests: [C('SESSION_ID=B'), C('SESSION_ID=A'), {}],
  },
  {
    id: 'persist-down',
    what: 'option persist: a cookie naming a DOWN server still goes to it (it still answers)',
    backend: [SEED_COOKIE, 'option persist'],
    servers: AB,
    down: ['web2'],
    requests: [C('SESSION_ID=B'), {}],
  },
  {
    id: 'force-persist-down',
    what: 'force-persist: a cookie naming a DOWN server goes to it when the rule holds, is balanced away when not',
    backend: [SEED_COOKIE, 'force-persist if { hdr(x-force) -m found }'],
    servers: AB,
    down: ['web2'],
    requests: [
      { headers: ['Cookie: SESSION_ID=B', 'X-Force: 1'] },
      C('SESSION_ID=B'),
      { headers: ['Cookie: SESSION_ID=A', 'X-Force: 1'] },
    ],
  },
  {
    id: 'force-persist-unless',
    what: 'force-persist unless: holds for every request but the one the condition names',
    backend: [SEED_COOKIE, 'force-persist unless { hdr(x-normal) -m found }'],
    servers: AB,
    down: ['web2'],
    requests: [C('SESSION_ID=B'), { headers: ['Cookie: SESSION_ID=B', 'X-Normal: 1'] }],
  },
  {
    id: 'ignore-persist',
    what: 'ignore-persist: the cookie is not read (balanced), not removed (indirect) and no Set-Cookie follows',
    backend: [SEED_COOKIE, 'ignore-persist if { hdr(x-static) -m found }'],
    servers: AB,
    requests: [
      { headers: ['Cookie: SESSION_ID=B', 'X-Static: 1'] },
      { headers: ['Cookie: SESSION_ID=B', 'X-Static: 1'] },
      C('SESSION_ID=B'),
      { headers: ['X-Static: 1'] },
      { headers: ['Cookie: x=1; SESSION_ID=A; y=2', 'X-Static: 1'] },
    ],
  },
  {
    id: 'persist-rules-order',
    what: 'the first persist rule that holds decides: ignore before force, then force alone',
    backend: [
      SEED_COOKIE,
      'ignore-persist if { hdr(x-a) -m found }',
      'force-persist if { hdr(x-b) -m found }',
    ],
    servers: AB,
    down: ['web2'],
    requests: [
      { headers: ['Cookie: SESSION_ID=B', 'X-A: 1', 'X-B: 1'] },
      { headers: ['Cookie: SESSION_ID=B', 'X-B: 1'] },
    ],
  },
  {
    id: 'ignore-persist-empty-if',
    what: "'ignore-persist if' with nothing after it never holds; 'force-persist unless' with nothing always does",
    backend: [SEED_COOKIE, 'ignore-persist if', 'force-persist unless'],
    servers: AB,
    down: ['web2'],
    requests: [C('SESSION_ID=B'), C('SESSION_ID=A')],
  },
  {
    id: 'use-server',
    what: 'use-server comes before the cookie: its server, no Set-Cookie (a direct request), the cookie still removed',
    backend: [SEED_COOKIE, 'use-server web2 if { hdr(x-srv) -m found }'],
    servers: AB,
    requests: [
      { headers: ['X-Srv: 1'] },
      {},
      { headers: ['Cookie: SESSION_ID=A', 'X-Srv: 1'] },
      C('SESSION_ID=A'),
      { headers: ['Cookie: x=1; SESSION_ID=B', 'X-Srv: 1'] },
    ],
  },
  {
    id: 'use-server-down',
    what: 'a use-server rule naming a DOWN server lets the next rule decide; with force-persist it is used',
    backend: [
      SEED_COOKIE,
      'force-persist if { hdr(x-force) -m found }',
      'use-server web2 if { hdr(x-a) -m found }',
      'use-server web1 if { hdr(x-b) -m found }',
    ],
    servers: AB,
    down: ['web2'],
    requests: [
      { headers: ['X-A: 1'] },
      { headers: ['X-A: 1', 'X-B: 1'] },
      { headers: ['X-A: 1', 'X-Force: 1'] },
    ],
  },
  {
    id: 'use-server-dynamic',
    what: 'use-server %[…]: the server named by the header; a name that names none ends the rules',
    backend: [
      SEED_COOKIE,
      'use-server %[req.hdr(x-srv)] if { req.hdr(x-srv) -m found }',
      'use-server web1 if { hdr(x-b) -m found }',
    ],
    servers: AB,
    requests: [
      { headers: ['X-Srv: web2'] },
      { headers: ['X-Srv: nope', 'X-B: 1'] },
      { headers: ['X-B: 1'] },
      { headers: ['Cookie: SESSION_ID=A', 'X-Srv: web2'] },
    ],
  },
  {
    id: 'nocache',
    what: 'nocache: Cache-Control: private is added exactly when HAProxy considers the response cacheable',
    backend: [SEED_COOKIE],
    servers: AB,
    responses: [
      {},
      { headers: ['Expires: Thu, 01 Jan 2037 00:00:00 GMT'] },
      { headers: ['Last-Modified: Mon, 01 Jan 2024 00:00:00 GMT'] },
      { headers: ['ETag: "v1"'] },
      FRESH,
      { headers: ['Cache-Control: private, max-age=60'] },
      { headers: ['Cache-Control: public'] },
      { headers: ['Cache-Control: public, max-age=5'] },
      { headers: ['Pragma: no-cache', 'Expires: Thu, 01 Jan 2037 00:00:00 GMT'] },
      { status: '302 Found', headers: ['Expires: Thu, 01 Jan 2037 00:00:00 GMT'] },
      { status: '404 Not Found', headers: ['Expires: Thu, 01 Jan 2037 00:00:00 GMT'] },
      { headers: ['Cache-Control: no-cache="set-cookie", max-age=5'] },
      { headers: ['Cache-Control: MAX-AGE=0'] },
      { headers: ['Cache-Control: max-age=0, public', 'Cache-Control: s-maxage=10'] },
      { headers: ['Cache-Control: no-store', 'Expires: 0'] },
      { status: '204 No Content', headers: ['ETag: "e"'] },
    ],
    requests: [
      ...Array.from({ length: 16 }, (_, i) => ({ respond: i })),
      { method: 'POST', headers: ['Content-Length: 0'], respond: 1 },
      { method: 'POST', headers: ['Content-Length: 0'], respond: 7 },
      { method: 'HEAD', respond: 1 },
      { method: 'OPTIONS', respond: 4 },
      { method: 'DELETE', respond: 4 },
    ],
  },
  {
    id: 'insert-no-indirect',
    what: 'insert without indirect: the client cookie reaches the server; the server’s own cookie of that name is replaced',
    backend: ['cookie SESSION_ID insert'],
    servers: AB,
    responses: [{}, { headers: ['Set-Cookie: SESSION_ID=from-app; path=/', 'Set-Cookie: other=1; path=/'] }],
    requests: [C('SESSION_ID=A; x=1'), { respond: 1 }, { ...C('SESSION_ID=B'), respond: 1 }],
  },
  {
    id: 'insert-indirect-server-sets',
    what: 'insert indirect: a Set-Cookie of ours from the server is removed, on direct and balanced requests',
    backend: ['cookie SESSION_ID insert indirect'],
    servers: AB,
    responses: [
      { headers: ['Set-Cookie: SESSION_ID=app; path=/', 'Set-Cookie: keep=me'] },
      { headers: ['Set-Cookie: SESSION_ID = spaced ; path=/'] },
      { headers: ['Set-Cookie: session_id=lower'] },
    ],
    requests: [C('SESSION_ID=A'), {}, { respond: 1 }, { ...C('SESSION_ID=B'), respond: 2 }],
  },
  {
    id: 'preserve',
    what: 'preserve: a Set-Cookie of ours from the server is kept and nothing is inserted; otherwise inserted',
    backend: ['cookie SESSION_ID insert indirect preserve'],
    servers: AB,
    responses: [{}, { headers: ['Set-Cookie: SESSION_ID=logout; Max-Age=0'] }],
    requests: [{ respond: 1 }, {}, { ...C('SESSION_ID=A'), respond: 1 }],
  },
  {
    id: 'postonly',
    what: 'postonly: the cookie is only inserted in responses to POST',
    backend: ['cookie SESSION_ID insert indirect postonly'],
    servers: AB,
    requests: [
      {},
      { method: 'POST', headers: ['Content-Length: 0'] },
      { method: 'PUT', headers: ['Content-Length: 0'] },
    ],
  },
  {
    id: 'attributes',
    what: 'domain, httponly, secure and attr: their order in Set-Cookie',
    backend: [
      'cookie SESSION_ID insert indirect nocache attr SameSite=Lax secure domain .example.com httponly domain .example.org attr Partitioned',
    ],
    servers: AB,
    responses: [FRESH],
    requests: [{}],
  },
  {
    id: 'no-server-value',
    what: 'a server without a cookie value: the client is told to drop the cookie (with the attributes)',
    backend: ['cookie SESSION_ID insert indirect httponly domain .example.com'],
    servers: ['cookie A', ''],
    requests: [{}, {}, C('SESSION_ID=A')],
  },
  {
    id: 'backup',
    what: 'the active server is DOWN: its cookie goes to the backup, which is set',
    backend: [SEED_COOKIE],
    servers: ['cookie A', 'cookie B backup'],
    down: ['web1'],
    requests: [C('SESSION_ID=A'), C('SESSION_ID=B'), {}],
  },
  {
    id: 'shared-value',
    what: 'two servers share a value: the first usable one in configuration order gets it',
    backend: [SEED_COOKIE],
    servers: ['cookie X', 'cookie X', 'cookie Y'],
    down: ['web1'],
    requests: [C('SESSION_ID=X'), C('SESSION_ID=Y'), {}],
  },
  {
    id: 'weight0',
    what: 'weight 0 takes no balanced traffic but keeps its persistent clients',
    backend: [SEED_COOKIE],
    servers: ['cookie A', 'cookie B weight 0'],
    requests: [{}, {}, C('SESSION_ID=B')],
  },
  {
    id: 'maxidle',
    what: 'maxidle: the last-seen date is added and refreshed; an idle or far-future date counts as no cookie',
    backend: ['cookie SESSION_ID insert indirect maxidle 30s'],
    servers: AB,
    requests: [
      {},
      C('SESSION_ID=B|{date:-10}'),
      C('SESSION_ID=B|{date:-100}'),
      C('SESSION_ID=B|{date:200000}'),
      C('SESSION_ID=B'),
      C('SESSION_ID=B|{date:-10}|{date:-20}'),
      C('SESSION_ID=B|xx'),
      C('SESSION_ID=B|!!!!!'),
    ],
  },
  {
    id: 'maxlife',
    what: 'maxlife: the first date is kept across refreshes; an old first date counts as no cookie',
    backend: ['cookie SESSION_ID insert indirect maxidle 30m maxlife 1h'],
    servers: AB,
    requests: [
      {},
      C('SESSION_ID=B|{date:-10}|{date:-600}'),
      C('SESSION_ID=B|{date:-10}|{date:-7200}'),
      C('SESSION_ID=B|{date:-10}'),
      C('SESSION_ID=A|{date:-10}|{date:300000}'),
    ],
  },
  {
    id: 'maxlife-only',
    what: 'maxlife without maxidle: both dates are written',
    backend: ['cookie SESSION_ID insert maxlife 1h'],
    servers: AB,
    requests: [{}, C('SESSION_ID=A|{date:-10}|{date:-100}')],
  },
  {
    id: 'rewrite',
    what: 'rewrite: the server’s own cookie value is replaced by the server’s; the client cookie is passed on',
    backend: ['cookie SRV rewrite'],
    servers: AB,
    responses: [
      { headers: ['Set-Cookie: SRV=anything; path=/; HttpOnly'] },
      {},
      { headers: ['Set-Cookie: SRV = spaced ; path=/', 'Set-Cookie: other=1'] },
    ],
    requests: [
      {},
      { ...C('SRV=B'), respond: 0 },
      { respond: 1 },
      { ...C('SRV=A; x=1'), respond: 2 },
      C('SRV=Z'),
    ],
  },
  {
    id: 'prefix',
    what: 'prefix: the server’s cookie becomes SRV~value, and SRV~ is stripped on the way in',
    backend: ['cookie JSESSIONID prefix'],
    servers: AB,
    responses: [{ headers: ['Set-Cookie: JSESSIONID=abc123; Path=/app; HttpOnly'] }, {}],
    requests: [
      {},
      { ...C('JSESSIONID=A~abc123'), respond: 1 },
      { ...C('x=1; JSESSIONID=B~xyz; other=1'), respond: 1 },
      { ...C('JSESSIONID=nodelim'), respond: 1 },
      { ...C('JSESSIONID=Z~q'), respond: 1 },
      { ...C('JSESSIONID=~q'), respond: 1 },
      { ...C('JSESSIONID=B~'), respond: 0 },
    ],
  },
  {
    id: 'passive',
    what: 'no mode: the cookie set by the application is read for persistence and left alone',
    backend: ['cookie SERVERID'],
    servers: AB,
    responses: [{ headers: ['Set-Cookie: SERVERID=B; path=/'] }],
    requests: [C('SERVERID=B'), C('SERVERID=B'), {}, C('SERVERID=Z')],
  },
  {
    id: 'passive-indirect',
    what: 'no mode, indirect: the application’s Set-Cookie is removed on persistent requests only',
    backend: ['cookie SERVERID indirect'],
    servers: AB,
    responses: [{ headers: ['Set-Cookie: SERVERID=B; path=/', 'Set-Cookie: other=1'] }],
    requests: [C('SERVERID=B'), {}, C('SERVERID=Z')],
  },
  {
    id: 'prefix-indirect',
    what: 'prefix indirect: on a persistent request the server’s cookie is removed instead of prefixed',
    backend: ['cookie JSESSIONID prefix indirect'],
    servers: AB,
    responses: [{ headers: ['Set-Cookie: JSESSIONID=abc; Path=/'] }],
    requests: [{}, C('JSESSIONID=B~abc'), C('JSESSIONID=Q~abc')],
  },
  {
    id: 'dynamic',
    what: 'dynamic: servers without a value get the hash of dynamic-cookie-key, address and port',
    backend: ['dynamic-cookie-key s3cr3t', 'cookie SESSION_ID insert indirect dynamic'],
    servers: ['', '', 'cookie own'],
    addresses: ['127.7.3.1:18081', '127.7.3.2:18082', '127.7.3.3:18083'],
    requests: [{}, {}, {}],
  },
  {
    id: 'dynamic-long-key',
    what: 'dynamic with a key long enough for the hash’s 32-byte blocks, and an IPv6 server',
    backend: [
      'dynamic-cookie-key 0123456789abcdefghijklmnopqrstuvwxyz-long-key',
      'cookie SESSION_ID insert indirect dynamic',
    ],
    servers: ['', ''],
    addresses: ['127.7.3.4:18084', '[::1]:18085'],
    requests: [{}, {}],
  },
  {
    id: 'keep-alive',
    what: 'requests on one client connection: each one follows its own cookie',
    backend: [SEED_COOKIE],
    servers: AB,
    sameConnection: true,
    requests: [{}, C('SESSION_ID=B'), C('SESSION_ID=A'), {}],
  },
];

/**
 * The rule engine's differential table: each row is a small frontend (its `lines`, with `b1` as the
 * default backend and `b2`, `b3` to route to) and one request. rules-run.ts runs every row through
 * HAProxy 2.6 or the balancer (one process for the whole table, one frontend per row, echo servers
 * that answer with their name and the request head they got); rules-record.ts records HAProxy's
 * answers into rules-expected.json and rules.test.ts checks the balancer's against them.
 * `%%` in a line is written as is (HAProxy's literal percent).
 */
export interface RuleRequest {
  method?: string;
  target: string;
  headers?: [string, string][];
  /** the client connects from this loopback address (src rows) */
  source?: string;
  /** send `HTTP/1.0` (and no Connection header) */
  http10?: boolean;
}

export interface RuleCase {
  id: string;
  lines: string[];
  req: RuleRequest;
  /** extra sections after the frontend (`{id}` is replaced by the row id) */
  sections?: string;
  /** lines of a `defaults` section this row's proxies use */
  defaults?: string[];
}

const rows: RuleCase[] = [];
const ret = (expr: string) => `http-request return status 200 hdr x-m "%[${expr}]"`;
/** answers with a log-format line in x-m */
const retf = (fmt: string) => `http-request return status 200 hdr x-m "${fmt}"`;
/** a row whose answer shows the value of a sample expression */
function fetch(id: string, expr: string, req: RuleRequest) {
  rows.push({ id, lines: [ret(expr)], req });
}
/** a row whose answer says whether an anonymous ACL matched */
function acl(id: string, criterion: string, req: RuleRequest) {
  rows.push({
    id,
    lines: [
      `http-request return status 200 hdr x-m yes if { ${criterion} }`,
      'http-request return status 404',
    ],
    req,
  });
}
const H = (target: string, ...headers: [string, string][]): RuleRequest => ({ target, headers });

// ---- fetches
fetch('fetch-path', 'path', H('/a/b?c=d'));
fetch('fetch-path-abs', 'path', H('http://ex.com/a/b?c=d'));
fetch('fetch-pathq', 'pathq', H('/a/b?c=d'));
fetch('fetch-query', 'query', H('/a/b?c=d&e'));
fetch('fetch-query-none', 'query', H('/a/b'));
fetch('fetch-url', 'url', H('/a/b?c=d'));
fetch('fetch-base', 'base', H('/a/b?c=d', ['Host', 'ex.com']));
fetch('fetch-url-param', 'url_param(b)', H('/p?a=1&b=2&c=3'));
fetch('fetch-urlp-missing', 'urlp(z)', H('/p?a=1&b=2'));
fetch('fetch-method', 'method', { method: 'PUT', target: '/' });
fetch('fetch-hdr', 'hdr(x-a)', H('/', ['X-A', 'one, two'], ['X-A', 'three']));
fetch('fetch-hdr-occ1', 'hdr(x-a,1)', H('/', ['X-A', 'one, two'], ['X-A', 'three']));
fetch('fetch-hdr-occ-2', 'hdr(x-a,-2)', H('/', ['X-A', 'one, two'], ['X-A', 'three']));
fetch('fetch-fhdr', 'req.fhdr(x-a)', H('/', ['X-A', 'one, two'], ['X-A', 'three, four']));
fetch('fetch-fhdr-occ1', 'req.fhdr(x-a,1)', H('/', ['X-A', 'one, two'], ['X-A', 'three']));
fetch('fetch-hdr-cnt', 'req.hdr_cnt(x-a)', H('/', ['X-A', 'one, two'], ['X-A', 'three']));
fetch('fetch-fhdr-cnt', 'req.fhdr_cnt(x-a)', H('/', ['X-A', 'one, two'], ['X-A', 'three']));
fetch('fetch-hdr-cnt-none', 'hdr_cnt(x-none)', H('/'));
fetch('fetch-cook', 'req.cook(b)', H('/', ['Cookie', 'a=1; b=2; c=3']));
fetch('fetch-cook-missing', 'cook(z)', H('/', ['Cookie', 'a=1']));
fetch('fetch-cook-cnt', 'req.cook_cnt(a)', H('/', ['Cookie', 'a=1; a=2'], ['Cookie', 'a=3']));
fetch('fetch-src', 'src', H('/'));
fetch('fetch-dst', 'dst', H('/'));
fetch('fetch-fe-name', 'fe_name', H('/'));
rows.push({ id: 'fetch-be-name', req: H('/'), lines: ['http-response set-header x-m "%[be_name]"'] });
fetch('fetch-str', 'str(hello)', H('/'));
fetch('fetch-int', 'int(42)', H('/'));
fetch('fetch-nbsrv', 'nbsrv(b2)', H('/'));
fetch('fetch-srv-is-up', 'srv_is_up(b2/s2)', H('/'));
fetch('fetch-ssl-fc', 'ssl_fc', H('/'));
fetch('fetch-req-ver', 'req.ver', H('/'));
fetch('fetch-always-true', 'always_true', H('/'));
rows.push({
  id: 'fetch-var',
  lines: ['http-request set-var(txn.x) req.hdr(x-a)', ret('var(txn.x)')],
  req: H('/', ['X-A', 'v1']),
});
rows.push({
  id: 'fetch-var-default',
  lines: [ret('var(txn.nope,dflt)')],
  req: H('/'),
});
rows.push({
  id: 'fetch-unset-var',
  lines: ['http-request set-var(txn.x) str(a)', 'http-request unset-var(txn.x)', ret('var(txn.x)')],
  req: H('/'),
});

// ---- converters
fetch('conv-lower', 'req.hdr(x-a),lower', H('/', ['X-A', 'MiXeD']));
fetch('conv-upper', 'req.hdr(x-a),upper', H('/', ['X-A', 'MiXeD']));
fetch('conv-length', 'path,length', H('/abcd'));
fetch('conv-regsub', 'path,regsub(^/a,/z)', H('/a/a/b'));
fetch('conv-regsub-g', 'path,regsub(a,X,g)', H('/a/a/b'));
fetch('conv-regsub-i', 'path,regsub(A,X,ig)', H('/a/b/a'));
fetch('conv-field', 'path,field(3,/)', H('/one/two/three'));
fetch('conv-field-neg', 'path,field(-1,/)', H('/one/two/three'));
fetch('conv-field-count', 'path,field(2,/,2)', H('/one/two/three'));
fetch('conv-word', 'path,word(2,/)', H('/one//two/three'));
fetch('conv-word-neg', 'path,word(-1,/)', H('/one//two/three'));
fetch('conv-bytes', 'path,bytes(1,3)', H('/abcdef'));
fetch('conv-hex', 'str(ab),hex', H('/'));
fetch('conv-base64', 'str(hello),base64', H('/'));
fetch('conv-url-dec', 'path,url_dec', H('/a%20b%2Fc'));
fetch('conv-json', 'req.hdr(x-a),json', H('/', ['X-A', 'a"b\\c']));
fetch('conv-ipmask', 'src,ipmask(24)', H('/'));
fetch('conv-add', 'int(40),add(2)', H('/'));
fetch('conv-sub', 'int(40),sub(50)', H('/'));
fetch('conv-mul', 'int(6),mul(7)', H('/'));
fetch('conv-div', 'int(43),div(2)', H('/'));
fetch('conv-mod', 'int(43),mod(5)', H('/'));
rows.push({
  id: 'conv-add-var',
  lines: ['http-request set-var(txn.n) int(5)', ret('int(1),add(txn.n)')],
  req: H('/'),
});
rows.push({
  id: 'conv-concat',
  lines: ['http-request set-var(txn.v) str(mid)', ret('str(a),concat(<,txn.v,>)')],
  req: H('/'),
});
fetch('conv-host-only', 'req.hdr(host),host_only', H('/', ['Host', 'ex.com:8080']));
fetch('conv-port-only', 'req.hdr(host),port_only', H('/', ['Host', 'ex.com:8080']));
fetch('conv-djb2', 'str(hello),djb2', H('/'));
fetch('conv-crc32', 'str(hello),crc32', H('/'));
fetch('conv-map', 'req.hdr(host),map(rules-fixtures/hosts.map,none)', H('/', ['Host', 'b.example']));
fetch('conv-map-default', 'req.hdr(host),map(rules-fixtures/hosts.map,none)', H('/', ['Host', 'zz']));
fetch('conv-map-beg', 'path,map_beg(rules-fixtures/paths.map)', H('/api/v1/x'));
fetch('conv-map-reg', 'path,map_reg(rules-fixtures/regs.map)', H('/img/a.png'));

// ---- match methods
acl('m-str', 'path /a', H('/a'));
acl('m-str-miss', 'path /a', H('/ab'));
acl('m-str-i', 'req.hdr(host) -i EX.com', H('/', ['Host', 'ex.COM']));
acl('m-str-case', 'req.hdr(host) EX.com', H('/', ['Host', 'ex.com']));
acl('m-beg', 'path_beg /api', H('/api/x'));
acl('m-beg-m', 'path -m beg /api', H('/apix'));
acl('m-end', 'path_end .png', H('/a/b.png'));
acl('m-sub', 'path_sub mid', H('/a/amidb'));
acl('m-dir', 'path_dir b', H('/a/b/c'));
acl('m-dir-miss', 'path_dir b', H('/a/bc/d'));
acl('m-dir-multi', 'path_dir a/b', H('/x/a/b/c'));
acl('m-dom', 'hdr_dom(host) example', H('/', ['Host', 'www.example.com']));
acl('m-dom-miss', 'hdr_dom(host) exam', H('/', ['Host', 'www.example.com']));
acl('m-dom-port', 'hdr_dom(host) com', H('/', ['Host', 'www.example.com:80']));
acl('m-end-host', 'hdr_end(host) .example.com', H('/', ['Host', 'www.example.com']));
acl('m-reg', 'path_reg ^/a/[0-9]+$', H('/a/123'));
acl('m-reg-i', 'path_reg -i ^/A/', H('/a/x'));
acl('m-len', 'path_len 4', H('/abc'));
acl('m-len-range', 'path_len 1:3', H('/abc'));
acl('m-int-gt', 'req.hdr_cnt(x-a) gt 1', H('/', ['X-A', '1'], ['X-A', '2']));
acl('m-int-range', 'req.hdr_val(x-n) 10:20', H('/', ['X-N', '15']));
acl('m-int-le', 'req.hdr_val(x-n) le 5', H('/', ['X-N', '15']));
acl('m-int-list', 'req.hdr_val(x-n) 1 2 15', H('/', ['X-N', '15']));
acl('m-ip', 'src 127.0.0.0/8', H('/'));
acl('m-ip-miss', 'src 10.0.0.0/8 192.168.0.1', H('/'));
acl('m-ip-hdr', 'req.hdr(x-ip) -m ip 10.0.0.0/8', H('/', ['X-IP', '10.1.2.3']));
acl('m-found', 'req.hdr(x-a) -m found', H('/', ['X-A', '']));
acl('m-found-miss', 'req.hdr(x-a) -m found', H('/'));
acl('m-bool', 'req.hdr_cnt(x-a) -m bool', H('/', ['X-A', '1']));
acl('m-hdr-any-occurrence', 'hdr(x-a) two', H('/', ['X-A', 'one, two'], ['X-A', 'three']));
acl('m-file', 'path_beg -f rules-fixtures/prefixes.lst', H('/static/x'));
acl('m-file-i', 'req.hdr(host) -i -f rules-fixtures/hosts.lst', H('/', ['Host', 'B.EXAMPLE']));
acl('m-dashdash', 'path -- -x', H('/a'));
acl('m-url-param', 'url_param(user) -m str bob', H('/?user=bob'));
acl('m-method', 'method POST', { method: 'POST', target: '/' });
acl('m-cook', 'req.cook(sid) -m found', H('/', ['Cookie', 'x=1; sid=abc']));
acl('m-cnt-suffix', 'hdr_cnt(x-a) 2', H('/', ['X-A', 'a,b']));
acl('m-len-suffix', 'hdr_len(x-a) 3', H('/', ['X-A', 'abc']));
acl('m-converter-then-match', 'req.hdr(host),lower -m beg www.', H('/', ['Host', 'WWW.x']));

// ---- predefined ACLs and the condition language
const cond = (id: string, c: string, req: RuleRequest, acls: string[] = []) =>
  rows.push({
    id,
    lines: [...acls, `http-request return status 200 hdr x-m yes if ${c}`, 'http-request return status 404'],
    req,
  });
cond('pre-meth-get', 'METH_GET', { method: 'HEAD', target: '/' });
cond('pre-localhost', 'LOCALHOST', H('/'));
cond('pre-http-1.1', 'HTTP_1.1', H('/'));
cond('pre-url-slash', 'HTTP_URL_SLASH', H('/x'));
cond('pre-true', 'TRUE', H('/'));
cond('pre-false', 'FALSE', H('/'));
cond('c-and', 'a b', H('/a', ['X-B', '1']), ['acl a path_beg /a', 'acl b req.hdr(x-b) -m found']);
cond('c-and-miss', 'a b', H('/a'), ['acl a path_beg /a', 'acl b req.hdr(x-b) -m found']);
cond('c-or', 'a or b', H('/z', ['X-B', '1']), ['acl a path_beg /a', 'acl b req.hdr(x-b) -m found']);
cond('c-oror', 'a || b', H('/a'), ['acl a path_beg /a', 'acl b req.hdr(x-b) -m found']);
cond('c-not', '!a', H('/z'), ['acl a path_beg /a']);
cond('c-not-space', '! a', H('/a'), ['acl a path_beg /a']);
cond('c-precedence', 'a b || c', H('/c'), ['acl a path_beg /a', 'acl b path_end x', 'acl c path /c']);
cond('c-repeated-acl-or', 'a', H('/two'), ['acl a path /one', 'acl a path /two']);
cond('c-anon-not', '!{ path_beg /a }', H('/a'));
rows.push({
  id: 'c-unless',
  lines: [
    'http-request return status 200 hdr x-m yes unless { path_beg /a }',
    'http-request return status 404',
  ],
  req: H('/b'),
});

// ---- routing (use_backend) and rule order
const route = (id: string, lines: string[], req: RuleRequest, sections?: string, defaults?: string[]) =>
  rows.push({ id, lines, req, sections, defaults });
route(
  'route-host',
  ['use_backend b2 if { hdr(host) -i api.example.com }'],
  H('/', ['Host', 'API.example.com']),
);
route(
  'route-host-exact',
  ['use_backend b2 if { hdr(host) api.example.com }'],
  H('/', ['Host', 'API.example.com']),
);
route(
  'route-hdr-dom',
  ['use_backend b2 if { hdr_dom(host) -i example.com }'],
  H('/', ['Host', 'www.example.com']),
);
route('route-hdr-end', ['use_backend b3 if { hdr_end(host) -i .org }'], H('/', ['Host', 'x.ORG']));
route('route-path-beg', ['acl api path_beg /api/', 'use_backend b2 if api'], H('/api/x'));
route('route-path-reg', ['use_backend b3 if { path_reg ^/img/.*\\.(png|jpg)$ }'], H('/img/a.png'));
route('route-url-param', ['use_backend b2 if { url_param(v) 2 }'], H('/x?v=2'));
route('route-src', ['use_backend b3 if { src 127.0.0.0/8 }'], H('/'));
route(
  'route-first-match',
  ['use_backend b2 if { path_beg /a }', 'use_backend b3 if { path_beg /a }'],
  H('/a'),
);
route('route-default', ['use_backend b2 if { path_beg /zz }'], H('/a'));
route('route-dynamic', ['use_backend %[req.hdr(x-be)]'], H('/', ['X-BE', 'b3']));
route('route-dynamic-missing', ['use_backend %[req.hdr(x-be)]'], H('/', ['X-BE', 'nope']));
route(
  'order-fe-then-be',
  ['http-request set-header x-order fe', 'use_backend be_{id}'],
  H('/'),
  'backend be_{id}\n    http-request set-header x-order "%[req.hdr(x-order)],be"\n    server s 127.0.0.1:{b1}\n',
);
route(
  'order-be-sees-fe-edit',
  ['http-request set-path /rewritten', 'use_backend be_{id} if { path /rewritten }'],
  H('/orig'),
  'backend be_{id}\n    server s 127.0.0.1:{b2}\n',
);
route(
  'order-response-be-then-fe',
  ['http-response add-header x-r fe', 'use_backend be_{id}'],
  H('/'),
  'backend be_{id}\n    http-response add-header x-r be\n    server s 127.0.0.1:{b1}\n',
);
route(
  'order-after-response-be-then-fe',
  ['http-after-response add-header x-r fe', 'use_backend be_{id}'],
  H('/'),
  'backend be_{id}\n    http-after-response add-header x-r be\n    http-response add-header x-r resp\n    server s 127.0.0.1:{b1}\n',
);
route('order-allow-stops', ['http-request allow', 'http-request deny'], H('/'));
route('order-allow-then-redirect', ['http-request allow', 'redirect location /r'], H('/'));
route(
  'order-redirect-before-use-backend',
  ['use_backend b2', 'redirect location /r if { path /x }'],
  H('/x'),
);

// ---- actions
const act = (id: string, lines: string[], req: RuleRequest) => rows.push({ id, lines, req });
act('a-deny', ['http-request deny if { path_beg /admin }'], H('/admin'));
act('a-deny-status', ['http-request deny deny_status 429'], H('/'));
// nothing after if/unless: a condition that never holds (the rule never applies / always does)
act('a-deny-empty-if', ['http-request deny if', 'http-request return status 200'], H('/'));
act('a-deny-empty-unless', ['http-request deny unless'], H('/'));
act(
  'a-deny-payload',
  ['http-request deny status 401 content-type text/plain string nope hdr x-d "%[path]"'],
  H('/p'),
);
act(
  'a-return',
  ['http-request return status 201 content-type text/plain lf-string "p=%[path]" hdr x-h 1'],
  H('/q'),
);
act('a-return-empty-hdr', ['http-request return status 200 hdr x-a "%[req.hdr(nope)]" hdr x-b b'], H('/'));
act('a-redirect-location', ['http-request redirect location /new'], H('/old?x=1'));
act('a-redirect-prefix', ['http-request redirect prefix /p code 301'], H('/a?x=1'));
act('a-redirect-prefix-slash', ['http-request redirect prefix / drop-query'], H('/a?x=1'));
act('a-redirect-drop-append', ['http-request redirect prefix /p drop-query append-slash'], H('/a?x=1'));
act('a-redirect-scheme', ['http-request redirect scheme https code 308'], H('/a?x=1', ['Host', 'ex.com']));
act('a-redirect-303', ['http-request redirect location /s code 303'], H('/'));
act('a-redirect-307', ['http-request redirect location /s code 307'], H('/'));
act('a-redirect-set-cookie', ['http-request redirect location /s set-cookie K=V'], H('/'));
act('a-redirect-clear-cookie', ['http-request redirect location /s clear-cookie K'], H('/'));
act('a-redirect-lf', ['http-request redirect location https://x%[path]'], H('/a'));
act('a-legacy-redirect', ['redirect prefix https://ex.com if { path_beg /a }'], H('/a/b?c'));
act('a-set-header', ['http-request set-header X-A new'], H('/', ['X-A', 'old1'], ['X-A', 'old2']));
act('a-set-header-self', ['http-request set-header X-A "<%[req.hdr(x-a)]>"'], H('/', ['X-A', 'v']));
act('a-add-header', ['http-request add-header X-A added'], H('/', ['X-A', 'old']));
act('a-set-header-missing-sample', ['http-request set-header X-E "%[req.hdr(none)]"'], H('/'));
act('a-del-header', ['http-request del-header x-a'], H('/', ['X-A', '1'], ['X-B', '2']));
act(
  'a-del-header-beg',
  ['http-request del-header x- -m beg'],
  H('/', ['X-A', '1'], ['X-B', '2'], ['Y', '3']),
);
act('a-del-header-end', ['http-request del-header -id -m end'], H('/', ['X-Req-ID', '1'], ['X-B', '2']));
act(
  'a-del-header-sub',
  ['http-request del-header secret -m sub'],
  H('/', ['X-Secret-Key', '1'], ['X-B', '2']),
);
act(
  'a-del-header-reg',
  ['http-request del-header ^x-[ab]$ -m reg'],
  H('/', ['x-a', '1'], ['x-b', '2'], ['x-c', '3']),
);
act('a-replace-header', ['http-request replace-header X-A ^(.*)-old$ \\1-new'], H('/', ['X-A', 'v-old']));
act('a-replace-header-partial', ['http-request replace-header X-A b B'], H('/', ['X-A', 'abc']));
act('a-replace-value', ['http-request replace-value X-A ^a(.*) A\\1'], H('/', ['X-A', 'ab, ac, b']));
act('a-set-path', ['http-request set-path /new%[path]'], H('/p?q=1'));
act('a-set-pathq', ['http-request set-pathq /new?z=1'], H('/p?q=1'));
act('a-set-query', ['http-request set-query a=%[url_param(q)]'], H('/p?q=1'));
act('a-set-uri', ['http-request set-uri /u?v=1'], H('/p?q=1'));
act('a-set-method', ['http-request set-method POST'], H('/'));
act('a-replace-path', ['http-request replace-path /api/(.*) /\\1'], H('/api/v1/x?k=1'));
act('a-replace-pathq', ['http-request replace-pathq ^/a\\?(.*) /b?\\1&x'], H('/a?k=1'));
act('a-replace-uri', ['http-request replace-uri ^/old(.*) /new\\1'], H('/old/x?y'));
act('a-reject', ['http-request reject'], H('/'));
act('a-res-set-header', ['http-response set-header x-resp replaced'], H('/'));
act('a-res-add-header', ['http-response add-header x-added "%[status]"'], H('/'));
act('a-res-del-header', ['http-response del-header set-cookie'], H('/'));
act('a-res-replace-value', ['http-response replace-value x-resp ^a$ A'], H('/'));
act('a-res-set-status', ['http-response set-status 404'], H('/'));
act('a-res-set-status-reason', ['http-response set-status 299 reason "Fine Thanks"'], H('/'));
act('a-res-deny', ['http-response deny if { status 200 }'], H('/'));
act('a-res-return', ['http-response return status 202 content-type text/plain string ok'], H('/'));
act('a-res-hdr-fetch', ['http-response set-header x-m "%[res.hdr(x-resp)]"'], H('/'));
act('a-res-cook-fetch', ['http-response set-header x-m "%[res.cook(s)]"'], H('/'));
act('a-res-srv-name', ['http-response set-header x-m "%[srv_name]"'], H('/'));
act(
  'a-res-var',
  ['http-request set-var(txn.p) path', 'http-response set-header x-m "%[var(txn.p)]"'],
  H('/v'),
);
act('a-after-own-503', ['http-after-response set-header x-after 1', 'use_backend bdown'], H('/'));
act(
  'a-after-return',
  ['http-request return status 200', 'http-after-response set-header x-after "%[status]"'],
  H('/'),
);
act('a-after-set-status', ['http-after-response set-status 418'], H('/'));
act('a-after-deny', ['http-request deny', 'http-after-response add-header x-after 1'], H('/'));
act(
  'a-logformat-vars',
  ['http-request return status 200 hdr x-m "%ci|%f|%b|%HM|%HU|%HP|%HQ|%HV"'],
  H('/a?b'),
);
act('a-logformat-quote', ['http-request return status 200 hdr x-m "%{+Q}[path]"'], H('/a'));
act('a-logformat-percent', ['http-request return status 200 hdr x-m "100%%"'], H('/a'));

// ---- own replies to an HTTP/1.0 client
act('http10-return', ['http-request return status 200 content-type text/plain string hi'], {
  target: '/',
  http10: true,
});
act('http10-redirect', ['http-request redirect location /x'], { target: '/', http10: true });
act('http10-deny', ['http-request deny'], { target: '/', http10: true });
act('http10-deny-payload', ['http-request deny status 429 content-type text/plain string no'], {
  target: '/',
  http10: true,
});
act('http10-after-503', ['http-after-response set-header x-a 1', 'use_backend bdown'], {
  target: '/',
  http10: true,
});

// ---- captures
rows.push({
  id: 'capture-req-hdr',
  lines: [
    'capture request header X-A len 4',
    'capture request header Host len 20',
    ret('capture.req.hdr(0)'),
  ],
  req: H('/', ['X-A', 'first'], ['X-A', 'second-one']),
});
rows.push({
  id: 'capture-req-hdr-1',
  lines: [
    'capture request header X-A len 4',
    'capture request header Host len 20',
    ret('capture.req.hdr(1)'),
  ],
  req: H('/'),
});
rows.push({
  id: 'capture-res-hdr',
  lines: ['capture response header x-resp len 3', 'http-response set-header x-m "%[capture.res.hdr(0)]"'],
  req: H('/'),
});

// ---- capture actions (slots shared with `capture … header` and `declare capture`, in written order)
rows.push({
  id: 'capture-action-slots',
  lines: [
    'declare capture request len 5',
    'capture request header X-A len 4',
    'http-request capture req.hdr(x-b) len 3',
    'http-request capture path id 0',
    retf('%[capture.req.hdr(0)]|%[capture.req.hdr(1)]|%[capture.req.hdr(2)]'),
  ],
  req: H('/pathlong', ['X-A', 'aaaaaaa'], ['X-B', 'bbbbbb']),
});
rows.push({
  id: 'capture-action-not-found',
  lines: [
    'capture request header X-A len 9',
    'http-request capture req.hdr(none) id 0',
    ret('capture.req.hdr(0)'),
  ],
  req: H('/', ['X-A', 'kept']),
});
rows.push({
  id: 'capture-action-int',
  lines: ['http-request capture int(123456) len 4', ret('capture.req.hdr(0)')],
  req: H('/'),
});
rows.push({
  id: 'capture-action-res',
  lines: [
    'declare capture response len 3',
    'capture response header x-resp len 9',
    'http-response capture res.hdr(x-resp,1) id 0',
    'http-response set-header x-m "%[capture.res.hdr(0)]|%[capture.res.hdr(1)]"',
  ],
  req: H('/'),
});
route(
  'capture-action-backend',
  ['declare capture request len 4', 'use_backend be_{id}'],
  H('/abcdef'),
  'backend be_{id}\n    http-request capture path id 0\n    http-request set-header x-m "%[capture.req.hdr(0)]"\n    server s 127.0.0.1:{b1}\n',
);

act(
  'capture-action-after-own',
  [
    'declare capture response len 2',
    'http-after-response capture status id 0',
    'http-after-response set-header x-m "%[capture.res.hdr(0)]"',
    'use_backend bdown',
  ],
  H('/'),
);

// ---- http-response redirect (location only)
act('a-res-redirect', ['http-response redirect location /moved code 301'], H('/a?b'));
act(
  'a-res-redirect-fetch',
  [
    'http-response redirect location "/s/%[res.hdr(x-resp,1)]" if { status 200 }',
    'http-after-response add-header x-after 1',
  ],
  H('/'),
);
act('a-res-redirect-cookie', ['http-response redirect location /c set-cookie K=V'], H('/'));

// ---- set-src, set-dst and their ports
act('a-set-src', ['http-request set-src hdr(x-ip)', retf('%[src]|%ci')], H('/', ['X-IP', '10.1.2.3']));
act(
  'a-set-src-v6',
  ['http-request set-src hdr(x-ip)', retf('%[src]|%ci')],
  H('/', ['X-IP', '2001:DB8:0:0::1']),
);
act('a-set-src-junk', ['http-request set-src hdr(x-ip)', ret('src')], H('/', ['X-IP', 'junk']));
act('a-set-src-int', ['http-request set-src int(167772161)', ret('src')], H('/'));
act(
  'a-set-src-forwardfor',
  ['option forwardfor', 'http-request set-src hdr(x-ip)'],
  H('/', ['X-IP', '10.1.2.3']),
);
act(
  'a-set-src-acl',
  ['http-request set-src hdr(x-ip)', 'use_backend b2 if { src 10.0.0.0/8 }'],
  H('/', ['X-IP', '10.1.2.3']),
);
act('a-set-src-port', ['http-request set-src-port int(4242)', retf('%[src_port]|%cp|%[src]')], H('/'));
act('a-set-dst', ['http-request set-dst str(10.9.9.9)', retf('%[dst]|%fi')], H('/'));
act('a-set-dst-port', ['http-request set-dst-port int(81)', retf('%[dst_port]|%fp')], H('/'));
act('a-set-dst-port-str', ['http-request set-dst-port hdr(x-p)', ret('dst_port')], H('/', ['X-P', '8443']));

// ---- tarpit (timeout tarpit short: the answer's shape is recorded, not the delay)
act('a-tarpit', ['timeout tarpit 200ms', 'http-request tarpit'], H('/'));
act('a-tarpit-status', ['timeout tarpit 200ms', 'http-request tarpit deny_status 429'], H('/'));
act(
  'a-tarpit-payload',
  [
    'timeout tarpit 200ms',
    'http-request tarpit status 403 content-type text/plain string nope hdr x-t 1',
    'http-after-response set-header x-after 1',
  ],
  H('/'),
);
act(
  'a-tarpit-after-status',
  ['timeout tarpit 200ms', 'http-request tarpit', 'http-after-response set-status 299'],
  H('/'),
);
act('a-tarpit-cond-miss', ['timeout tarpit 200ms', 'http-request tarpit if { path /t }'], H('/x'));
route(
  'a-tarpit-backend',
  ['use_backend be_{id}'],
  H('/'),
  'backend be_{id}\n    timeout tarpit 100ms\n    http-request tarpit\n    server s 127.0.0.1:{b1}\n',
);
act('a-tarpit-http10', ['timeout tarpit 200ms', 'http-request tarpit'], { target: '/', http10: true });

// ---- whose http-after-response runs on an answer of the frontend's rules (the backend is not chosen yet)
route(
  'a-after-fe-deny-default-backend',
  ['http-request deny', 'http-after-response add-header x-fe 1', 'default_backend be_{id}'],
  H('/'),
  'backend be_{id}\n    http-after-response add-header x-be 1\n    server s 127.0.0.1:{b1}\n',
);
route(
  'a-after-be-deny',
  ['http-after-response add-header x-fe 1', 'use_backend be_{id}'],
  H('/'),
  'backend be_{id}\n    http-request deny\n    http-after-response add-header x-be 1\n    server s 127.0.0.1:{b1}\n',
);
route(
  'a-after-fe-tarpit-default-backend',
  ['timeout tarpit 100ms', 'http-request tarpit', 'default_backend be_{id}'],
  H('/'),
  'backend be_{id}\n    http-after-response add-header x-be 1\n    server s 127.0.0.1:{b1}\n',
);

// ---- http-after-response set-var on the balancer's own 503
act(
  'a-after-set-var-own',
  [
    'http-after-response set-var(txn.s) status',
    'http-after-response set-header x-m "%[var(txn.s)]"',
    'use_backend bdown',
  ],
  H('/'),
);

// ---- defaults
route('defaults-rules-first', ['http-request set-header x-d fe'], H('/'), undefined, [
  'http-request set-header x-d defaults',
  'http-request add-header x-e defaults',
]);

export const RULE_CASES: readonly RuleCase[] = rows;

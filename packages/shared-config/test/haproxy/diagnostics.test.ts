import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BASE, parse } from './helpers.ts';

/**
 * Broken (and dubious) configurations → the exact diagnostics, as `severity file:line message`.
 * `BASE` is a defaults section of five lines, so the line under test is line 6 or later.
 */
const CASES: [name: string, config: string, expected: string[]][] = [
  [
    'timout client 10s',
    `${BASE}    timout client 10s\n`,
    ["alert t.cfg:6 unknown keyword 'timout' in 'defaults' section; did you mean 'timeout' maybe ?"],
  ],
  [
    'timeout server 10x',
    `${BASE}    timeout server 10x\n`,
    ["alert t.cfg:6 unexpected character 'x' in 'timeout server' (units are us, ms, s, m, h, d; e.g. '10s')"],
  ],
  [
    'timeout clinet 10s',
    `${BASE}    timeout clinet 10s\n`,
    [
      "alert t.cfg:6 'timeout' supports 'client', 'server', 'connect', 'check', 'queue', 'http-keep-alive', 'http-request', 'tunnel', 'tarpit', 'client-fin' and 'server-fin' (got 'clinet'); did you mean 'client' maybe ?",
    ],
  ],
  ['bind :70000', `${BASE}frontend f\n    bind :70000\n`, ["alert t.cfg:7 'bind' : invalid port '70000'"]],
  [
    'server s 1.2.3.4:80',
    `${BASE}frontend f\n    bind :80\n    server s 1.2.3.4:80\n`,
    [
      "alert t.cfg:8 'server' not allowed because frontend 'f' has no backend capability (put it in a 'backend' or a 'listen' section).",
    ],
  ],
  [
    'bind in a backend is ignored with a warning (as HAProxy)',
    `${BASE}backend b\n    bind :80\n`,
    ["warning t.cfg:7 'bind' ignored because backend 'b' has no frontend capability."],
  ],
  [
    'default-server in a frontend is an alert (as HAProxy)',
    `${BASE}frontend f\n    bind :80\n    default-server inter 1s\n`,
    [
      "alert t.cfg:8 'default-server' not allowed because frontend 'f' has no backend capability (put it in a 'defaults', a 'backend' or a 'listen' section).",
    ],
  ],
  [
    'a listen with default_backend never uses its servers',
    `${BASE}listen l\n    bind :80\n    default_backend b\n    server s 10.0.0.1:80\nbackend b\n    server t 10.0.0.2:80\n`,
    [
      "warning t.cfg:8 In proxy 'l', the 'default_backend' rule always has precedence over the servers, which will never be used.",
    ],
  ],
  [
    'balance foo',
    `${BASE}    balance foo\n`,
    [
      "alert t.cfg:6 balance only supports 'roundrobin', 'static-rr', 'leastconn', 'source', 'uri', 'url_param', 'hdr(name)' and 'rdp-cookie(name)' options. (Also 'first', 'random', 'hash'; got 'foo')",
    ],
  ],
  [
    'balance leastcon',
    `${BASE}    balance leastcon\n`,
    [
      "alert t.cfg:6 balance only supports 'roundrobin', 'static-rr', 'leastconn', 'source', 'uri', 'url_param', 'hdr(name)' and 'rdp-cookie(name)' options. (Also 'first', 'random', 'hash'; got 'leastcon'; did you mean 'leastconn' maybe ?)",
    ],
  ],
  [
    'option forwardfor except 10.0.0.0/33',
    `${BASE}    option forwardfor except 10.0.0.0/33\n`,
    [
      "alert t.cfg:6 'option forwardfor except' expects <address>[/mask] as argument. (invalid mask '/33' in '10.0.0.0/33': IPv4 allows 0 to 32)",
    ],
  ],
  [
    'option htplog',
    `${BASE}    option htplog\n`,
    ["alert t.cfg:6 unknown option 'htplog'; did you mean 'httplog' maybe ?"],
  ],
  ['option nosuchthing', `${BASE}    option nosuchthing\n`, ["alert t.cfg:6 unknown option 'nosuchthing'."]],
  [
    'contimeout 5s (legacy: applied with a warning)',
    `${BASE}    contimeout 5s\n`,
    [
      "warning t.cfg:6 'contimeout' is a legacy directive that HAProxy 2.1+ rejects; write 'timeout connect 5s' instead.",
    ],
  ],
  [
    'reqadd (removed: alert)',
    `${BASE}    reqadd X-Proto:\\ http\n`,
    [
      "alert t.cfg:6 The 'reqadd' directive is not supported anymore since HAProxy 2.1. Use 'http-request add-header' instead.",
    ],
  ],
  [
    'clitimeout 10x',
    `${BASE}    clitimeout 10x\n`,
    ["alert t.cfg:6 unexpected character 'x' in 'clitimeout' (units are us, ms, s, m, h, d; e.g. '10s')"],
  ],
  [
    'timeout client 5s',
    `global\n    pidfile /run/x.pid\n    timeout client 5s\n`,
    [
      "alert t.cfg:3 'timeout' is not allowed in the 'global' section (it belongs in a 'defaults', 'frontend', 'backend' or 'listen' section).",
    ],
  ],
  [
    'daemon',
    `${BASE}    daemon\n`,
    [
      "alert t.cfg:6 'daemon' is a 'global' keyword: it is not allowed in a 'defaults' section (move it to the 'global' section).",
    ],
  ],
  [
    'server a 1.1.1.1:80',
    `${BASE}frontend f\n    bind :80\n    default_backend nope\nbackend dyn\n    server a 1.1.1.1:80\n`,
    ["alert t.cfg:8 Proxy 'f': unable to find required default_backend: 'nope'."],
  ],
  [
    'server a 1.1.1.1:80',
    `${BASE}frontend f\n    bind :80\n    default_backend dyns\nbackend dyn\n    server a 1.1.1.1:80\n`,
    ["alert t.cfg:8 Proxy 'f': unable to find required default_backend: 'dyns'. Did you mean 'dyn' maybe ?"],
  ],
  [
    'mode tcp',
    `${BASE}frontend f\n    bind :80\n    mode http\n    default_backend t\nbackend t\n    mode tcp\n`,
    [
      "alert t.cfg:9 http frontend 'f' (t.cfg:6) tries to use incompatible tcp backend 't' (t.cfg:10) as its default backend (see 'mode').",
    ],
  ],
  [
    'server a 1.1.1.2:80',
    `${BASE}backend b\n    server a 1.1.1.1:80\n    server a 1.1.1.2:80\n`,
    [
      "alert t.cfg:8 backend 'b', another server named 'a' was already defined at line 7, please use distinct names.",
    ],
  ],
  [
    'server a 1.1.1.1:80 chek',
    `${BASE}backend b\n    server a 1.1.1.1:80 chek\n`,
    ["alert t.cfg:7 'server b/a' : unknown keyword 'chek'; did you mean 'check' maybe ?"],
  ],
  [
    'server a 1.1.1.1:80 inter 10x',
    `${BASE}backend b\n    server a 1.1.1.1:80 inter 10x\n`,
    [
      "alert t.cfg:7 'server b/a' : unexpected character 'x' in 'inter' (units are us, ms, s, m, h, d; e.g. '10s')",
    ],
  ],
  [
    'server a 1.1.1.1:80 weight 300',
    `${BASE}backend b\n    server a 1.1.1.1:80 weight 300\n`,
    ["alert t.cfg:7 'server b/a' : weight of server a is not within 0 and 256 (300).."],
  ],
  [
    'backend b',
    `${BASE}frontend f\n    bind :80\n    use_backend b if is_api\nbackend b\n`,
    [
      "alert t.cfg:8 error detected while parsing switching rule : no such ACL : 'is_api'. Declare it first with 'acl is_api <criterion> [values]'.",
    ],
  ],
  [
    'backend b',
    `${BASE}frontend f\n    bind :80\n    acl is_api path_beg /api\n    use_backend b if is_apl\nbackend b\n`,
    [
      "alert t.cfg:9 error detected while parsing switching rule : no such ACL : 'is_apl'. Did you mean 'is_api' maybe ?",
    ],
  ],
  [
    'http-request deny if !{ http_auth(admins) }',
    `${BASE}frontend f\n    bind :80\n    http-request deny if !{ http_auth(admins) }\n`,
    [
      "alert t.cfg:8 unable to find userlist 'admins' referenced in arg 1 of ACL keyword 'http_auth' in proxy 'f'.",
    ],
  ],
  [
    'http-request frobnicate',
    `${BASE}frontend f\n    bind :80\n    http-request frobnicate\n`,
    [
      "alert t.cfg:8 'http-request' : unknown action 'frobnicate' (expects allow, deny, tarpit, redirect, set-header, add-header, early-hint, del-header, replace-header, replace-value, …)",
    ],
  ],
  [
    'http-request set-headr X 1',
    `${BASE}frontend f\n    bind :80\n    http-request set-headr X 1\n`,
    [
      "alert t.cfg:8 'http-request' : unknown action 'set-headr'; did you mean 'set-header' maybe ? (expects allow, deny, tarpit, redirect, set-header, add-header, early-hint, del-header, replace-header, replace-value, …)",
    ],
  ],
  [
    'cookie SRV insrt',
    `${BASE}backend b\n    cookie SRV insrt\n`,
    [
      "alert t.cfg:7 'cookie' supports 'rewrite', 'insert', 'prefix', 'indirect', 'nocache', 'postonly', 'domain', 'maxidle', 'dynamic', 'maxlife' and 'attr' options (got 'insrt'); did you mean 'insert' maybe ?",
    ],
  ],
  // HAProxy 2.6's own checks of the cookie line (messages as `haproxy -c` prints them)
  [
    'cookie S rewrite indirect',
    `${BASE}backend b\n    cookie S rewrite indirect\n`,
    ["alert t.cfg:7 cookie 'rewrite' and 'indirect' modes are incompatible."],
  ],
  [
    'cookie S insert rewrite',
    `${BASE}backend b\n    cookie S insert rewrite\n`,
    ["alert t.cfg:7 cookie 'rewrite', 'insert' and 'prefix' modes are incompatible."],
  ],
  [
    'cookie S prefix preserve',
    `${BASE}backend b\n    cookie S prefix preserve\n`,
    ["alert t.cfg:7 cookie 'preserve' requires at least 'insert' or 'indirect'."],
  ],
  [
    'cookie S indirect preserve (passive mode)',
    `${BASE}backend b\n    cookie S indirect preserve nocache\n`,
    [],
  ],
  [
    'cookie S insert attr a;b',
    `${BASE}backend b\n    cookie S insert attr a;b\n`,
    ["alert t.cfg:7 character '%x3B' is not permitted in attribute value."],
  ],
  [
    'cookie S insert domain foo',
    `${BASE}backend b\n    cookie S insert domain foo domain .ok.example\n`,
    [
      "warning t.cfg:7 domain 'foo' contains no embedded dot, this configuration may not work properly (see RFC6265#5.2.3).",
    ],
  ],
  [
    'cookie S insert attr',
    `${BASE}backend b\n    cookie S insert attr\n`,
    ["alert t.cfg:7 'attr' expects <value> as argument."],
  ],
  [
    'bind :81',
    `${BASE}frontend f\n    bind :80\nfrontend f\n    bind :81\n`,
    ["alert t.cfg:8 frontend 'f' has the same name as frontend 'f' declared at t.cfg:6."],
  ],
  [
    'bind :80',
    `frontend f\n    bind :80\n`,
    [
      "warning t.cfg:1 missing timeouts for frontend 'f'.\n" +
        '   | While not properly invalid, you will certainly encounter various problems\n' +
        '   | with such a configuration. To fix this, please ensure that all following\n' +
        "   | timeouts are set to a non-zero value: 'client', 'connect', 'server'.",
    ],
  ],
  [
    'frontend f',
    `${BASE}frontend f\n`,
    [
      "warning t.cfg:6 frontend 'f' has no 'bind' directive. Please declare it as a backend if this was intended.",
    ],
  ],
  [
    'errorfile 503 /nonexistent/503.http',
    `${BASE}    errorfile 503 /nonexistent/503.http\n`,
    ["alert t.cfg:6 errorfile : error opening file '/nonexistent/503.http'."],
  ],
  [
    'errorfile 999 /etc/hosts',
    `${BASE}    errorfile 999 /etc/hosts\n`,
    [
      "alert t.cfg:6 errorfile : status code '999' not handled (use one of 200, 400, 401, 403, 404, 405, 407, 408, 410, 413, 425, 429, 500, 501, 502, 503, 504).",
    ],
  ],
  [
    'backend proxy *:80',
    `${BASE}backend proxy *:80\n`,
    ["alert t.cfg:6 'backend proxy' takes no listening address (unexpected '*:80')."],
  ],
  [
    'frontnd x',
    `${BASE}frontnd x\n`,
    ["alert t.cfg:6 unknown keyword 'frontnd' in 'defaults' section; did you mean 'frontend' maybe ?"],
  ],
  [
    'frontnd x',
    `frontnd x\n`,
    ["alert t.cfg:1 unknown keyword 'frontnd' out of section; did you mean 'frontend' maybe ?"],
  ],
  [
    'acl a src 1.2.3.4',
    `${BASE}    acl a src 1.2.3.4\n`,
    [
      "alert t.cfg:6 'acl' is only allowed in named 'defaults' sections (write 'defaults <name>'), or in a 'frontend', 'backend' or 'listen' section.",
    ],
  ],
  [
    'log 127.0.0.1 local9',
    `${BASE}    log 127.0.0.1 local9\n`,
    ["alert t.cfg:6 unknown log facility 'local9'; did you mean 'local0' maybe ?"],
  ],
  [
    // haproxy 2.6: "log : unknown log facility 'format'" — its options come in one order only
    'log 127.0.0.1 sample 1:2 format raw local0',
    `${BASE}    log 127.0.0.1 sample 1:2 format raw local0\n`,
    [
      "alert t.cfg:6 log : unknown log facility 'format' (write the options in HAProxy's order: len, then format, then sample, each once, before the facility).",
    ],
  ],
  [
    'mode health',
    `${BASE}    mode health\n`,
    [
      "alert t.cfg:6 unknown proxy mode 'health' (use 'http' or 'tcp') ('mode health' was removed in HAProxy 2.4; use 'monitor-uri' or a 'tcp' listener).",
    ],
  ],
  [
    'http-reuse sometimes',
    `${BASE}    http-reuse sometimes\n`,
    ["alert t.cfg:6 'http-reuse' only supports 'never', 'safe', 'aggressive', 'always' (got 'sometimes')."],
  ],
  [
    'bind :80',
    `${BASE}frontend f from nodefs\n    bind :80\n`,
    [
      "alert t.cfg:6 frontend 'f' : unable to find the defaults section 'nodefs' (it must be declared before use).",
    ],
  ],
  [
    'stats realm',
    `${BASE}    stats realm\n`,
    ["alert t.cfg:6 'stats realm' expects a realm name as argument."],
  ],
  [
    'stats auth admin',
    `${BASE}    stats auth admin\n`,
    ["alert t.cfg:6 'stats auth' expects <user>:<password> in the same argument (got 'admin')."],
  ],
  [
    'retry-on conn-failur',
    `${BASE}    retry-on conn-failur\n`,
    ["alert t.cfg:6 'retry-on' : unknown keyword 'conn-failur'; did you mean 'conn-failure' maybe ?"],
  ],
  [
    'health-socket relative.sock',
    `global\n    health-socket relative.sock\n`,
    ["alert t.cfg:2 'health-socket' expects an absolute path, got 'relative.sock'."],
  ],
  [
    'nbproc 4',
    `global\n    nbproc 4\n`,
    [
      "warning t.cfg:2 'nbproc' is not supported any more since HAProxy 2.5 and is ignored; threads are used instead (see 'nbthread').",
    ],
  ],
  [
    'server a 1.1.1.1:80 track c/x',
    `${BASE}backend b\n    server a 1.1.1.1:80 track c/x\n`,
    ["alert t.cfg:7 'server b/a' : unable to find required proxy 'c' for tracking."],
  ],
  [
    'no timeout client',
    `${BASE}    no timeout client\n`,
    ["alert t.cfg:6 'no' is only supported before 'option' and 'log' (got 'no timeout')."],
  ],
  [
    'bind :80 ssl crt /etc/ssl/x.pem alpn h2 accept-proxy name web',
    `${BASE}frontend f\n    bind :80 ssl crt /etc/ssl/x.pem alpn h2 accept-proxy name web\n`,
    [],
  ],
  [
    'bind :80 sl',
    `${BASE}frontend f\n    bind :80 sl\n`,
    ["alert t.cfg:7 'bind :80' unknown keyword 'sl'. Did you mean 'ssl' maybe ?"],
  ],
  [
    'bind :80 "a b',
    `${BASE}frontend f\n    bind :80 "a b\n`,
    ['alert t.cfg:7 unmatched quote at position 17'],
  ],
  [
    'user a pasword x',
    `userlist u\n    user a pasword x\n`,
    [
      "alert t.cfg:2 'user a' : expects 'password <hash>', 'insecure-password <password>' and/or 'groups <group>[,...]' (got 'pasword'); did you mean 'password' maybe ?",
    ],
  ],
  [
    'http-check expect stauts 200',
    `${BASE}backend b\n    http-check expect stauts 200\n`,
    [
      "alert t.cfg:7 'http-check expect' expects a match keyword (status, rstatus, string, rstring, hdr, fhdr, binary, rbinary, string-lf, binary-lf, custom), got 'stauts'; did you mean 'status' maybe ?",
    ],
  ],
  [
    'frontend bad/name',
    `${BASE}frontend bad/name\n`,
    ["alert t.cfg:6 character '/' is not permitted in 'frontend' name 'bad/name'."],
  ],
  [
    'hash-type consistent md5',
    `${BASE}    hash-type consistent md5\n`,
    [
      "alert t.cfg:6 'hash-type' only supports 'sdbm', 'djb2', 'crc32', or 'wt6' hash functions. (Got 'md5'; 'none' is accepted too.)",
    ],
  ],
  [
    'HTTP-only settings in a tcp proxy are ignored with a warning',
    `${BASE}    option forwardfor\nlisten l\n    mode tcp\n    bind :80\n    cookie X insert\n    http-request deny\n    server s 10.0.0.1:80\n`,
    [
      "warning t.cfg:7 'option forwardfor' ignored for proxy 'l' as it requires HTTP mode.",
      "warning t.cfg:10 cookie will be ignored for proxy 'l' (needs 'mode http').",
      "warning t.cfg:11 'http-request' rules ignored for proxy 'l' as they require HTTP mode.",
    ],
  ],
  [
    'rules out of processing order',
    `${BASE}frontend f\n    bind :80\n    use_backend b if { path /b }\n    http-request deny if { path /x }\n    tcp-request content accept\nbackend b\n`,
    [
      "warning t.cfg:9 a 'http-request' rule placed after a 'use_backend' rule will still be processed before.",
      "warning t.cfg:10 a 'tcp-request' rule placed after a 'use_backend' rule will still be processed before.",
    ],
  ],
  [
    'unknown fetch and converter names in ACLs',
    `${BASE}frontend f\n    bind :80\n    acl a path_begg /x\n    acl b hdr(host),lowr -i x\n    http-request deny if { src_foo 1 }\n    acl c cook_beg(sid) abc\n    acl d lua.my_fetch -m found\n`,
    [
      "alert t.cfg:8 error detected while parsing ACL 'a' : unknown fetch method 'path_begg' in ACL expression 'path_begg'; did you mean 'path_beg' maybe ?",
      "alert t.cfg:9 error detected while parsing ACL 'b' : ACL keyword 'hdr' : unknown converter 'lowr'; did you mean 'lower' maybe ?",
      "alert t.cfg:10 error detected while parsing an 'http-request deny' condition : unknown fetch method 'src_foo' in ACL expression 'src_foo'.",
    ],
  ],
  [
    'userlist cross-references',
    'userlist L\n    group G users alice,bobb\n    user alice insecure-password x groups H\n    user bob insecure-password y\n',
    [
      "alert t.cfg:2 userlist 'L': no such user 'bobb' specified in group 'G'; did you mean 'bob' maybe ?",
      "alert t.cfg:3 userlist 'L': no such group 'H' specified in user 'alice'.",
    ],
  ],
  [
    'ACL pattern files must exist',
    `${BASE}frontend f\n    bind :80\n    acl bad src -f /nonexistent/block.lst\n    http-request deny if { src -f /nonexistent/b.lst }\n`,
    [
      "alert t.cfg:8 error detected while parsing ACL 'bad' : failed to open pattern file </nonexistent/block.lst>.",
      "alert t.cfg:9 error detected while parsing an 'http-request deny' condition : failed to open pattern file </nonexistent/b.lst>.",
    ],
  ],
  [
    'ACL values are checked by type (as HAProxy)',
    `${BASE}frontend f\n    bind :80\n    acl a src 10.0.0.0/33\n    acl b src foo\n    acl c hdr_cnt(host) gt x\n`,
    [
      "alert t.cfg:8 error detected while parsing ACL 'a' : '10.0.0.0/33' is not a valid IPv4 or IPv6 address.",
      "alert t.cfg:9 error detected while parsing ACL 'b' : 'foo' is not a valid IPv4 or IPv6 address.",
      "alert t.cfg:10 error detected while parsing ACL 'c' : 'x' is neither a number nor a supported operator.",
    ],
  ],
  [
    'an ACL without any pattern never matches (warning)',
    `${BASE}frontend f\n    bind :80\n    acl c path_beg\n    acl ok1 path_beg --\n    acl ok2 req.hdr(x) -m found\n    acl ok3 ssl_fc\n    acl ok4 dst_port 80:90 gt 1000 8080\n    http-request deny if { path_end }\n`,
    [
      "warning t.cfg:8 ACL 'c' ('path_beg') has no pattern to match against, so it will never match; add '--' if this is intended, use '-m found' to match on existence, or '-m bool' to test an integer as a boolean.",
      "warning t.cfg:13 anonymous ACL ('path_end') has no pattern to match against, so it will never match; add '--' if this is intended, use '-m found' to match on existence, or '-m bool' to test an integer as a boolean.",
    ],
  ],
];

describe('diagnostics for broken configurations', () => {
  for (const [name, config, expected] of CASES) {
    test(name, () => {
      const r = parse(config, { readable: (p) => !p.includes('nonexistent') });
      assert.deepEqual(
        r.diagnostics.map((d) => `${d.severity} ${d.file}:${d.line} ${d.message}`),
        expected,
      );
      assert.equal(
        r.config === null,
        expected.some((e) => e.startsWith('alert')),
      );
    });
  }
});

describe('keyword uses (what the engine decides about; the parser only records them)', () => {
  // lines 2-5 are BASE's defaults section
  const uses = (text: string) =>
    parse(text)
      .uses.filter((u) => u.line > 5)
      .map((u) => [u.line, u.key, u.label, u.subject ?? null, u.args.join(' ')]);

  test('a server line records the server and each option, grouped under its subject', () => {
    assert.deepEqual(uses(`${BASE}backend b\n    server s 10.0.0.1:80 check inter 2s no-backup\n`), [
      [7, 'server', 'server', null, 's 10.0.0.1:80 check inter 2s no-backup'],
      [7, 'server check', 'check', "'server s'", 's 10.0.0.1:80 check inter 2s no-backup'],
      [7, 'server inter', 'inter', "'server s'", 's 10.0.0.1:80 check inter 2s no-backup'],
      [7, 'server backup', 'no-backup', "'server s'", 's 10.0.0.1:80 check inter 2s no-backup'],
    ]);
  });

  test('families are keyed by their first word; rules by the keyword, labelled with the action', () => {
    const text = `${BASE}frontend f\n    bind :80\n    timeout queue 5s\n    option redispatch\n    http-request deny if { path_beg /a }\n    default_backend b\nbackend b\n    balance leastconn\n`;
    assert.deepEqual(
      uses(text).map((u) => [u[1], u[2]]),
      [
        ['bind', 'bind'],
        ['timeout queue', 'timeout queue'],
        ['option redispatch', 'option redispatch'],
        ['http-request', 'http-request deny'],
        ['default_backend', 'default_backend'],
        ['balance leastconn', 'balance leastconn'],
      ],
    );
  });

  test('a rejected line and a `no` line record nothing', () => {
    const r = parse(`${BASE}backend b\n    no option redispatch\n    balance nosuchalgo\n`);
    assert.ok(r.diagnostics.some((d) => d.severity === 'alert' && d.line === 8));
    assert.deepEqual(
      r.uses.filter((u) => u.line >= 7),
      [],
    );
  });

  test('daemon, chroot and sections kept as written are uses, not warnings of the parser', () => {
    const r = parse('global\n    daemon\n    chroot /var/empty\npeers p\n    peer a 127.0.0.1:1\n');
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(
      r.uses.map((u) => [u.line, u.key, u.label]),
      [
        [2, 'daemon', 'daemon'],
        [3, 'chroot', 'chroot /var/empty'],
        [4, 'section peers', 'peers'],
      ],
    );
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { HaproxyConfig, HaproxyProxy } from '../../src/haproxy/index.ts';
import { alerts, BASE, parse } from './helpers.ts';

function load(text: string): HaproxyConfig {
  const r = parse(text);
  assert.deepEqual(alerts(r.diagnostics), []);
  assert.ok(r.config);
  return r.config;
}
const proxy = (c: HaproxyConfig, name: string): HaproxyProxy => {
  const p = c.proxies.find((x) => x.name === name);
  assert.ok(p, `proxy ${name}`);
  return p;
};

/** Configuration → a projection of the model it produces. */
const CASES: [name: string, config: string, pick: (c: HaproxyConfig) => unknown, expected: unknown][] = [
  [
    'resolved defaults of an empty frontend',
    'frontend f\n    bind :80\n',
    (c) => {
      const p = proxy(c, 'f');
      return [
        p.mode,
        p.retries,
        p.httpReuse,
        p.balance,
        p.maxconn,
        p.timeouts.client,
        p.options.forwardfor,
        p.defaults,
      ];
    },
    ['tcp', 3, 'safe', null, null, null, null, null],
  ],
  [
    'global defaults',
    'global\n',
    (c) => [
      c.global.tuneBufsize,
      c.global.healthSocket,
      c.global.statsTimeout,
      c.global.daemon,
      c.global.maxconn,
    ],
    [16384, { path: '/run/balancer/health.sock', mode: 0o660 }, 10000, false, null],
  ],
  [
    'global keywords',
    'global\n    maxconn 4000\n    nbthread 1\n    daemon\n    pidfile /run/b.pid\n    tune.bufsize 32k\n    tune.maxrewrite 2048\n    tune.http.maxhdr 64\n    ulimit-n 65536\n    spread-checks 5\n    health-socket /run/lb/h.sock mode 0600\n    user haproxy\n    group haproxy\n    log 127.0.0.1:514 local0 notice\n    log /dev/log local1\n    hard-stop-after 30s\n',
    (c) => {
      const g = c.global;
      return [
        g.maxconn,
        g.nbthread,
        g.daemon,
        g.pidfile,
        g.tuneBufsize,
        g.tuneMaxrewrite,
        g.tuneHttpMaxhdr,
        g.ulimitN,
        g.spreadChecks,
        g.healthSocket,
        g.user,
        g.group,
        g.hardStopAfter,
        g.log.map((l) => (l.kind === 'target' ? [l.target, l.facility, l.level, l.address] : l.kind)),
      ];
    },
    [
      4000,
      1,
      true,
      '/run/b.pid',
      32768,
      2048,
      64,
      65536,
      5,
      { path: '/run/lb/h.sock', mode: 0o600 },
      'haproxy',
      'haproxy',
      30000,
      [
        [
          '127.0.0.1:514',
          'local0',
          'notice',
          { kind: 'inet', family: 4, host: '127.0.0.1', hostname: false, portMin: 514, portMax: 514 },
        ],
        ['/dev/log', 'local1', null, { kind: 'unix', path: '/dev/log' }],
      ],
    ],
  ],
  [
    'stats socket options',
    'global\n    stats socket /run/haproxy/admin.sock mode 660 level admin expose-fd listeners\n    stats socket ipv4@127.0.0.1:9999 level user\n    stats timeout 2m\n',
    (c) => [
      c.global.statsSockets.map((s) => [s.address, s.mode, s.level, s.exposeFdListeners]),
      c.global.statsTimeout,
    ],
    [
      [
        [{ kind: 'unix', path: '/run/haproxy/admin.sock' }, 0o660, 'admin', true],
        [
          { kind: 'inet', family: 4, host: '127.0.0.1', hostname: false, portMin: 9999, portMax: 9999 },
          null,
          'user',
          false,
        ],
      ],
      120000,
    ],
  ],
  [
    'inheritance from the preceding defaults section (times in ms)',
    `defaults\n    mode http\n    timeout client 1m\n    timeout server 30s\n    timeout connect 5s\n    timeout http-keep-alive 500\n    timeout tunnel 1h\n    retries 5\n    option http-server-close\n    maxconn 100\nbackend b\n    server s 10.0.0.1:80\n`,
    (c) => {
      const p = proxy(c, 'b');
      return [p.mode, p.timeouts, p.retries, p.options.httpServerClose, p.maxconn];
    },
    [
      'http',
      {
        client: 60000,
        server: 30000,
        connect: 5000,
        httpRequest: null,
        httpKeepAlive: 500,
        queue: null,
        tunnel: 3600000,
        clientFin: null,
        serverFin: null,
        check: null,
        tarpit: null,
      },
      5,
      true,
      100,
    ],
  ],
  [
    'a new defaults section resets; named defaults and from',
    `defaults web\n    mode http\n    timeout client 10s\n    timeout server 10s\n    timeout connect 1s\ndefaults tcp from web\n    mode tcp\ndefaults\n    timeout client 2s\n    timeout server 2s\n    timeout connect 2s\nlisten a from web\n    bind :1\nlisten b from tcp\n    bind :2\nlisten c\n    bind :3\n`,
    (c) => c.proxies.map((p) => [p.name, p.defaults, p.mode, p.timeouts.client]),
    [
      ['a', 'web', 'http', 10000],
      ['b', 'tcp', 'tcp', 10000],
      ['c', '', 'tcp', 2000],
    ],
  ],
  [
    'no option X in a proxy undoes the defaults',
    `${BASE}    option redispatch\n    option http-keep-alive\nbackend b\n    no option redispatch\n    option httpclose\n`,
    (c) => {
      const o = proxy(c, 'b').options;
      return [o.redispatch, o.httpclose, o.httpKeepAlive, o.httpServerClose];
    },
    [false, true, false, false],
  ],
  [
    'option forwardfor / originalto / httplog / httpchk',
    `${BASE}    option forwardfor except 127.0.0.0/8 header X-Client if-none\n    option originalto\n    option httplog clf\nbackend b\n    option httpchk GET /health HTTP/1.1\n`,
    (c) => {
      const o = proxy(c, 'b').options;
      return [o.forwardfor, o.originalto, o.httplog, o.httplogClf, o.httpchk, o.checkType];
    },
    [
      { except: { family: 4, address: '127.0.0.0', prefix: 8 }, header: 'x-client', ifNone: true },
      { except: null, header: 'x-original-to' },
      true,
      true,
      { method: 'GET', uri: '/health', version: 'HTTP/1.1', extra: null },
      'httpchk',
    ],
  ],
  [
    'option httpchk with only an URI',
    `${BASE}backend b\n    option httpchk /ping\n`,
    (c) => proxy(c, 'b').options.httpchk,
    { method: 'OPTIONS', uri: '/ping', version: 'HTTP/1.0', extra: null },
  ],
  [
    'binds: lists, IPv6, ranges, unix, fd, options',
    `${BASE}frontend f\n    bind :80,:::81 name web\n    bind 127.0.0.1:8000-8002 maxconn 10 backlog 5 v4v6\n    bind unix@/run/f.sock mode 600 user www\n    bind fd@3\n    bind :443 ssl crt /a.pem crt /b.pem alpn h2,http/1.1\n`,
    (c) => proxy(c, 'f').binds.map((b) => [b.address, b.options]),
    [
      [{ kind: 'inet', family: null, host: '', hostname: false, portMin: 80, portMax: 80 }, { name: 'web' }],
      [{ kind: 'inet', family: 6, host: '::', hostname: false, portMin: 81, portMax: 81 }, { name: 'web' }],
      [
        { kind: 'inet', family: 4, host: '127.0.0.1', hostname: false, portMin: 8000, portMax: 8002 },
        { maxconn: 10, backlog: 5, v4v6: true },
      ],
      [
        { kind: 'unix', path: '/run/f.sock' },
        { mode: 0o600, user: 'www' },
      ],
      [{ kind: 'fd', fd: 3 }, {}],
      [
        { kind: 'inet', family: null, host: '', hostname: false, portMin: 443, portMax: 443 },
        { ssl: true, crt: '/a.pem,/b.pem', alpn: 'h2,http/1.1' },
      ],
    ],
  ],
  [
    'servers: options, default-server, ports',
    `${BASE}backend b\n    default-server inter 3s fall 2 maxconn 50\n    server s1 10.0.0.1:8080 check rise 4 weight 10 cookie s1 backup\n    server s2 10.0.0.2 fastinter 500 downinter 10s disabled slowstart 1m\n    server s3 10.0.0.3:+100 send-proxy-v2 observe layer7 on-error mark-down init-addr last,libc,none\n    server s4 web.example.com:80 ssl verify none sni str(web) ca-file /ca.pem\n`,
    (c) =>
      proxy(c, 'b').servers.map((s) => [
        s.name,
        s.portOffset,
        s.check,
        s.inter,
        s.fastinter,
        s.downinter,
        s.rise,
        s.fall,
        s.weight,
        s.maxconn,
        s.cookie,
        s.backup,
        s.disabled,
        s.slowstart,
        s.sendProxyV2,
        s.observe,
        s.onError,
        s.initAddr,
        s.ssl,
        s.verify,
        s.sni,
        s.other,
      ]),
    [
      [
        's1',
        null,
        true,
        3000,
        3000,
        3000,
        4,
        2,
        10,
        50,
        's1',
        true,
        false,
        0,
        false,
        null,
        'fail-check',
        null,
        false,
        null,
        null,
        {},
      ],
      [
        's2',
        0,
        false,
        3000,
        500,
        10000,
        2,
        2,
        1,
        50,
        null,
        false,
        true,
        60000,
        false,
        null,
        'fail-check',
        null,
        false,
        null,
        null,
        {},
      ],
      [
        's3',
        100,
        false,
        3000,
        3000,
        3000,
        2,
        2,
        1,
        50,
        null,
        false,
        false,
        0,
        true,
        'layer7',
        'mark-down',
        ['last', 'libc', 'none'],
        false,
        null,
        null,
        {},
      ],
      [
        's4',
        null,
        false,
        3000,
        3000,
        3000,
        2,
        2,
        1,
        50,
        null,
        false,
        false,
        0,
        false,
        null,
        'fail-check',
        null,
        true,
        'none',
        'str(web)',
        { 'ca-file': '/ca.pem' },
      ],
    ],
  ],
  [
    'dispatch, and hash-type consistent alone (sdbm + avalanche, as HAProxy)',
    `${BASE}listen l\n    bind :80\n    dispatch 10.0.0.1:8080\n    hash-type consistent\n`,
    (c) => {
      const p = proxy(c, 'l');
      return [p.dispatch, p.balance, p.hashType];
    },
    [
      { host: '10.0.0.1', port: 8080 },
      null,
      { method: 'consistent', function: 'sdbm', modifier: 'avalanche' },
    ],
  ],
  [
    'balance algorithms and hash-type',
    `${BASE}backend a\n    balance uri whole depth 3\nbackend b\n    balance hdr(Host) use_domain_only\n    hash-type consistent wt6 avalanche\nbackend c\n    balance url_param uid check_post\nbackend d\n    balance random(2)\nbackend e\n    balance rdp-cookie\nbackend f\n    balance source\n`,
    (c) => c.proxies.map((p) => [p.balance, p.hashType]),
    [
      [
        { algorithm: 'uri', whole: true, pathOnly: false, len: null, depth: 3 },
        { method: 'map-based', function: 'sdbm', modifier: null },
      ],
      [
        { algorithm: 'hdr', header: 'Host', useDomainOnly: true },
        { method: 'consistent', function: 'wt6', modifier: 'avalanche' },
      ],
      [
        { algorithm: 'url_param', param: 'uid', checkPost: true },
        { method: 'map-based', function: 'sdbm', modifier: null },
      ],
      [
        { algorithm: 'random', draws: 2 },
        { method: 'map-based', function: 'sdbm', modifier: null },
      ],
      [
        { algorithm: 'rdp-cookie', cookie: 'mstshash' },
        { method: 'map-based', function: 'sdbm', modifier: null },
      ],
      [{ algorithm: 'source' }, { method: 'map-based', function: 'sdbm', modifier: null }],
    ],
  ],
  [
    'cookie with every option',
    `${BASE}backend b\n    cookie SRVID insert indirect nocache postonly httponly secure domain .a.com domain .b.com maxidle 30m maxlife 8h attr SameSite=Strict dynamic\n`,
    (c) => {
      const { file: _f, line: _l, ...cookie } = proxy(c, 'b').cookie!;
      return cookie;
    },
    {
      name: 'SRVID',
      mode: 'insert',
      indirect: true,
      nocache: true,
      postonly: true,
      preserve: false,
      httponly: true,
      secure: true,
      domains: ['.a.com', '.b.com'],
      maxidle: 1800000,
      maxlife: 28800000,
      dynamic: true,
      attrs: ['SameSite=Strict'],
    },
  ],
  [
    'ACLs, conditions and use_backend',
    `${BASE}frontend f\n    bind :80\n    acl api path_beg -i /api /v2\n    acl api hdr(host) -m str api.example.com\n    acl local src 10.0.0.0/8 127.0.0.1\n    use_backend be_api if api !local || { req.hdr(x-api),lower -m found }\n    use_backend be_api unless local\n    default_backend be_api\nbackend be_api\n`,
    (c) => {
      const p = proxy(c, 'f');
      return [
        p.acls.map((a) => [a.name, a.fetch, a.fetchArgs, a.ignoreCase, a.match, a.values]),
        p.useBackends.map((u) => [u.backend, u.cond]),
      ];
    },
    [
      [
        ['api', 'path_beg', [], true, 'beg', ['/api', '/v2']],
        ['api', 'hdr', ['host'], false, 'str', ['api.example.com']],
        ['local', 'src', [], false, null, ['10.0.0.0/8', '127.0.0.1']],
      ],
      [
        [
          'be_api',
          {
            polarity: 'if',
            anyOf: [
              [
                { kind: 'named', negate: false, name: 'api' },
                { kind: 'named', negate: true, name: 'local' },
              ],
              [
                {
                  kind: 'inline',
                  negate: false,
                  criterion: {
                    fetch: 'req.hdr',
                    fetchArgs: ['x-api'],
                    converters: [{ name: 'lower', args: [] }],
                    ignoreCase: false,
                    match: 'found',
                    patternFiles: [],
                    otherFlags: [],
                    values: [],
                  },
                },
              ],
            ],
          },
        ],
        ['be_api', { polarity: 'unless', anyOf: [[{ kind: 'named', negate: false, name: 'local' }]] }],
      ],
    ],
  ],
  [
    'http-request / http-response rules',
    `${BASE}frontend f\n    bind :80\n    http-request deny deny_status 429 if { sc_http_req_rate(0) gt 10 }\n    http-request redirect scheme https code 301 unless { ssl_fc }\n    http-request redirect location /new drop-query append-slash if { path /old }\n    http-request set-header X-Proto https\n    http-request del-header X-Secret -m beg\n    http-request replace-path /api/(.*) /\\1\n    http-request return status 503 content-type text/plain string "maintenance" hdr Retry-After 30\n    http-request auth realm Admins if { path_beg /admin }\n    http-request set-var(txn.host) req.hdr(host)\n    http-request track-sc0 src\n    http-response set-status 404 reason "Not Found"\n    http-request allow\n    stick-table type ip size 1k store http_req_rate(10s)\n`,
    (c) => {
      const p = proxy(c, 'f');
      return [...p.httpRequestRules, ...p.httpResponseRules].map((r) => {
        const { file: _f, line: _l, cond, ...rest } = r;
        return [rest, cond?.polarity ?? null];
      });
    },
    [
      [{ action: 'deny', status: 429, body: null, contentType: null, headers: [] }, 'if'],
      [
        {
          action: 'redirect',
          type: 'scheme',
          value: 'https',
          code: 301,
          dropQuery: false,
          appendSlash: false,
          setCookie: null,
          clearCookie: null,
        },
        'unless',
      ],
      [
        {
          action: 'redirect',
          type: 'location',
          value: '/new',
          code: 302,
          dropQuery: true,
          appendSlash: true,
          setCookie: null,
          clearCookie: null,
        },
        'if',
      ],
      [{ action: 'set-header', name: 'X-Proto', format: 'https' }, null],
      [{ action: 'del-header', name: 'X-Secret', method: 'beg' }, null],
      [{ action: 'replace-path', regex: '/api/(.*)', replace: '/\\1' }, null],
      [
        {
          action: 'return',
          status: 503,
          contentType: 'text/plain',
          body: { kind: 'string', value: 'maintenance' },
          headers: [{ name: 'Retry-After', format: '30' }],
        },
        null,
      ],
      [{ action: 'auth', realm: 'Admins' }, 'if'],
      [{ action: 'set-var', scope: 'txn', variable: 'host', expression: 'req.hdr(host)' }, null],
      [{ action: 'other', name: 'track-sc0', args: ['src'] }, null],
      [{ action: 'allow' }, null],
      [{ action: 'set-status', status: 404, reason: 'Not Found' }, null],
    ],
  ],
  [
    'tcp-request rules',
    `${BASE}frontend f\n    mode tcp\n    bind :443\n    tcp-request inspect-delay 5s\n    tcp-request content accept if { req_ssl_hello_type 1 }\n    tcp-request connection reject if { src 192.0.2.0/24 }\n`,
    (c) => {
      const p = proxy(c, 'f');
      return [p.tcpRequestInspectDelay, p.tcpRequestRules.map((r) => [r.stage, r.action, r.args])];
    },
    [
      5000,
      [
        ['content', 'accept', []],
        ['connection', 'reject', []],
      ],
    ],
  ],
  [
    'stats',
    `${BASE}listen stats\n    bind :8404\n    stats enable\n    stats uri /stats\n    stats realm Haproxy\\ Statistics\n    stats auth admin:secret\n    stats auth ops:pa:ss\n    stats refresh 10\n    stats hide-version\n    stats show-legends\n    stats admin if TRUE\n`,
    (c) => {
      const { file: _f, line: _l, ...s } = proxy(c, 'stats').stats!;
      return s;
    },
    {
      enabled: true,
      uri: '/stats',
      realm: 'Haproxy Statistics',
      auth: [
        { user: 'admin', password: 'secret' },
        { user: 'ops', password: 'pa:ss' },
      ],
      hideVersion: true,
      refresh: 10000,
      admin: [{ polarity: 'if', anyOf: [[{ kind: 'named', negate: false, name: 'TRUE' }]] }],
      showNode: null,
      showDesc: null,
      showLegends: true,
      showModules: false,
      scope: [],
      httpRequest: [],
    },
  ],
  [
    'userlists',
    `userlist admins\n    group ops users alice,bob\n    group dev\n    user alice password $5$salt$hash groups ops\n    user bob insecure-password secret\n`,
    (c) => c.userlists.map(({ file: _f, line: _l, ...u }) => u),
    [
      {
        name: 'admins',
        groups: [
          { name: 'ops', users: ['alice', 'bob'] },
          { name: 'dev', users: [] },
        ],
        users: [
          { name: 'alice', password: '$5$salt$hash', insecure: false, groups: ['ops'] },
          { name: 'bob', password: 'secret', insecure: true, groups: [] },
        ],
      },
    ],
  ],
  [
    'errorfile paths are resolved against the working directory; http-errors sections',
    `http-errors site\n    errorfile 404 errors/404.http\n    errorfile 503 /etc/haproxy/errors/503.http\n${BASE}    errorfile 503 /srv/503.http\nfrontend f\n    bind :80\n    errorfiles site 404\n    errorloc303 403 https://example.com/forbidden\n`,
    (c) => {
      const p = proxy(c, 'f');
      return [p.errorfiles, p.errorlocs, c.httpErrors[0].errorfiles];
    },
    [
      { '503': '/srv/503.http', '404': `${process.cwd()}/errors/404.http` },
      { '403': { code: 303, location: 'https://example.com/forbidden' } },
      { '404': `${process.cwd()}/errors/404.http`, '503': '/etc/haproxy/errors/503.http' },
    ],
  ],
  [
    'misc proxy keywords',
    `${BASE}frontend f\n    bind :80\n    description Front door for www\n    id 7\n    monitor-uri /alive\n    capture request header Host len 32\n    unique-id-format %{+X}o\\ %ci\n    unique-id-header X-Unique-ID\n    log global\n    log-format "%ci:%cp [%tr] %ft"\n    compression algo gzip\n    compression type text/html text/plain\n    default_backend b\nbackend b\n    fullconn 1000\n    http-reuse always\n    retry-on conn-failure 503\n    http-check send meth GET uri /health\n    http-check expect status 200-399\n    stick-table type ip size 1m expire 30m\n    stick on src\n`,
    (c) => {
      const f = proxy(c, 'f');
      const b = proxy(c, 'b');
      return [
        f.description,
        f.id,
        f.monitorUri,
        f.captures.map((x) => [x.kind, x.name, x.len]),
        f.uniqueIdFormat,
        f.uniqueIdHeader,
        f.log.map((l) => l.kind),
        f.logFormat,
        f.compression,
        b.fullconn,
        b.httpReuse,
        b.retryOn,
        b.httpChecks.map((h) => [h.kind, h.args]),
        b.other.map((o) => [o.keyword, o.args]),
      ];
    },
    [
      'Front door for www',
      7,
      '/alive',
      [['request header', 'Host', 32]],
      '%{+X}o %ci',
      'X-Unique-ID',
      ['global'],
      '%ci:%cp [%tr] %ft',
      { algorithms: ['gzip'], types: ['text/html', 'text/plain'], offload: false },
      1000,
      'always',
      ['conn-failure', '503'],
      [
        ['send', ['meth', 'GET', 'uri', '/health']],
        ['expect', ['status', '200-399']],
      ],
      [
        ['stick-table', ['type', 'ip', 'size', '1m', 'expire', '30m']],
        ['stick', ['on', 'src']],
      ],
    ],
  ],
  [
    'legacy listen address becomes a bind',
    `${BASE}listen app 0.0.0.0:8080\n    server s 10.0.0.1:80\n`,
    (c) => proxy(c, 'app').binds.map((b) => [b.address, b.legacy]),
    [[{ kind: 'inet', family: 4, host: '0.0.0.0', hostname: false, portMin: 8080, portMax: 8080 }, true]],
  ],
];

describe('configurations and the model they produce', () => {
  for (const [name, config, pick, expected] of CASES) {
    test(name, () => assert.deepEqual(pick(load(config)), expected));
  }

  test('the model is deep-frozen', () => {
    const c = load(`${BASE}backend b\n    server s 10.0.0.1:80\n`);
    assert.ok(Object.isFrozen(c));
    assert.ok(Object.isFrozen(c.proxies[0].servers[0].address));
    assert.throws(() => {
      (c.proxies[0] as { name: string }).name = 'x';
    }, TypeError);
  });
});

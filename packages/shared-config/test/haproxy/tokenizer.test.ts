// biome-ignore-all lint/suspicious/noTemplateCurlyInString: haproxy.cfg writes variables as ${NAME}
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { tokenizeLine } from '../../src/haproxy/index.ts';
import { alerts, BASE, parse } from './helpers.ts';

const env = { NAME: 'web', LIST: 'a b  c', EMPTY: '', PORT: '8080' };
const words = (line: string, e: NodeJS.ProcessEnv = env) => tokenizeLine(line, { env: e }).words;

describe('tokenizer (configuration.txt §2.2 quoting and escaping)', () => {
  const cases: [string, string[]][] = [
    ['  bind   :80  ', ['bind', ':80']],
    ['bind :80 # comment', ['bind', ':80']],
    ['bind :80# comment right after', ['bind', ':80']],
    ['#only a comment', []],
    ['\tserver\ts1\t1.2.3.4:80', ['server', 's1', '1.2.3.4:80']],
    ['a\\ b c', ['a b', 'c']],
    ['a\\#b', ['a#b']],
    ['a\\\\b', ['a\\b']],
    ["a\\'b", ["a'b"]],
    ['a\\"b', ['a"b']],
    ['x\\ty\\nz\\r', ['x\ty\nz\r']],
    ['\\x41\\x62', ['Ab']],
    ['path_reg ^/a\\d+$', ['path_reg', '^/a\\d+$']],
    ['"a b" c', ['a b', 'c']],
    ['"a # not a comment"', ['a # not a comment']],
    ['"it\'s"', ["it's"]],
    ['\'single "quotes" $NAME \\n\'', ['single "quotes" $NAME \\n']],
    ['pre"quoted"post', ['prequotedpost']],
    ['""', ['']],
    ['"\\$NAME"', ['$NAME']],
    ['$NAME unquoted', ['$NAME', 'unquoted']],
  ];
  for (const [line, expected] of cases) {
    test(JSON.stringify(line), () => assert.deepEqual(words(line), expected));
  }
  test('an unmatched quote is an error', () => {
    assert.deepEqual(tokenizeLine('bind "x', { env }).errors, ['unmatched quote at position 7']);
    assert.deepEqual(tokenizeLine("bind 'x", { env }).errors, ['unmatched quote at position 6']);
  });
});

describe('environment variables (configuration.txt §2.3)', () => {
  const cases: [string, string[]][] = [
    ['"$NAME"', ['web']],
    ['"${NAME}"', ['web']],
    ['"${NAME}-1"', ['web-1']],
    ['"x$NAME.y"', ['xweb.y']],
    ['"${MISSING-127.0.0.1}:514"', ['127.0.0.1:514']],
    ['"${EMPTY-default}"', ['']],
    ['"${NAME-default}"', ['web']],
    ['"$MISSING"', ['']],
    ['bind "fd@${PORT}"', ['bind', 'fd@8080']],
    ['server "${LIST[*]}"', ['server', 'a', 'b', 'c']],
    ['x "pre${LIST[*]}post"', ['x', 'prea', 'b', 'cpost']],
    ['x "${EMPTY[*]}" y', ['x', 'y']],
    ['"$1abc"', ['$1abc']],
  ];
  for (const [line, expected] of cases) {
    test(line, () => assert.deepEqual(words(line), expected));
  }
  test('a missing variable is reported as a warning', () => {
    assert.deepEqual(tokenizeLine('"$MISSING"', { env }).warnings, [
      "environment variable 'MISSING' is not set; it expands to an empty string",
    ]);
  });
  test('pseudo-variables .FILE and .LINE', () => {
    assert.deepEqual(
      tokenizeLine('"${.FILE}:${.LINE}"', { env, pseudo: { FILE: 'a.cfg', LINE: '7' } }).words,
      ['a.cfg:7'],
    );
  });
  test('expansion reaches the model', () => {
    const r = parse(
      `${BASE}frontend f\n    bind "\${ADDR-*}:$PORT"\n    default_backend b\nbackend b\n    server "$NAME" "\${IP}:80"\n`,
      { env: { PORT: '8443', NAME: 'app1', IP: '10.1.2.3' } },
    );
    assert.deepEqual(alerts(r.diagnostics), []);
    const [fe, be] = r.config!.proxies;
    assert.equal(fe.binds[0].address.kind === 'inet' && fe.binds[0].address.portMin, 8443);
    assert.equal(be.servers[0].name, 'app1');
    assert.equal(be.servers[0].address.kind === 'inet' && be.servers[0].address.host, '10.1.2.3');
  });
  test('addresses expand $NAME and ${NAME} even unquoted (HAProxy does), unset = empty', () => {
    const r = parse(
      `${BASE}frontend f\n    bind :$PORT\n    bind \${IP}:81$UNSET\n    default_backend b\nbackend b\n    server s $SRV\n`,
      {
        env: { PORT: '8081', IP: '127.0.0.2', SRV: '10.0.0.9:8080' },
      },
    );
    assert.deepEqual(alerts(r.diagnostics), []);
    const [fe, be] = r.config!.proxies;
    assert.deepEqual(
      fe.binds.map((b) => b.address.kind === 'inet' && [b.address.host, b.address.portMin]),
      [
        ['', 8081],
        ['127.0.0.2', 81],
      ],
    );
    const a = be.servers[0].address;
    assert.deepEqual(a.kind === 'inet' && [a.host, a.portMin], ['10.0.0.9', 8080]);
    // Elsewhere an unquoted $NAME stays as written (password hashes such as $6$salt$hash).
    assert.deepEqual(tokenizeLine('user bob password $6$k6y3o.eP$JlKBx', { env: { k6y3o: 'x' } }).words, [
      'user',
      'bob',
      'password',
      '$6$k6y3o.eP$JlKBx',
    ]);
  });

  test('setenv in global changes later expansions', () => {
    const r = parse(`global\n    setenv BE_PORT 9000\n${BASE}backend b\n    server s 10.0.0.1:"$BE_PORT"\n`);
    assert.deepEqual(alerts(r.diagnostics), []);
    const s = r.config!.proxies[0].servers[0];
    assert.equal(s.address.kind === 'inet' && s.address.portMin, 9000);
  });
});

test('CRLF line ends and a UTF-8 byte-order mark are accepted', () => {
  const r = parse('\uFEFFglobal\r\n    maxconn 10\r\n');
  assert.deepEqual(alerts(r.diagnostics), []);
  assert.equal(r.config!.global.maxconn, 10);
});

describe('conditional blocks (configuration.txt §2.4)', () => {
  const cfg = `${BASE}frontend f
.if defined(WITH_TLS)
    bind :443
.elif streq("$MODE",alt)
    bind :8443
.else
    bind :80
.endif
.if version_atleast(2.4) && !feature(OPENSSL)
    maxconn 100
.endif
.if 0
    this is not parsed at all
.endif
`;
  test('.else branch', () => {
    const r = parse(cfg);
    assert.deepEqual(alerts(r.diagnostics), []);
    const fe = r.config!.proxies[0];
    assert.deepEqual(
      fe.binds.map((b) => b.address.kind === 'inet' && b.address.portMin),
      [80],
    );
    assert.equal(fe.maxconn, 100);
  });
  test('.if branch', () => {
    const fe = parse(cfg, { env: { WITH_TLS: '' } }).config!.proxies[0];
    assert.deepEqual(
      fe.binds.map((b) => b.address.kind === 'inet' && b.address.portMin),
      [443],
    );
  });
  test('.elif branch', () => {
    const fe = parse(cfg, { env: { MODE: 'alt' } }).config!.proxies[0];
    assert.deepEqual(
      fe.binds.map((b) => b.address.kind === 'inet' && b.address.portMin),
      [8443],
    );
  });
  test('unbalanced blocks and .alert', () => {
    assert.deepEqual(alerts(parse('.if 1\nglobal\n').diagnostics), [
      "t.cfg:1 missing '.endif' for this '.if' block at end of file.",
    ]);
    assert.deepEqual(alerts(parse('.endif\n').diagnostics), ["t.cfg:1 '.endif' without a matching '.if'."]);
    assert.deepEqual(alerts(parse('.if 1\n.alert "stop here"\n.endif\n').diagnostics), ['t.cfg:2 stop here']);
  });
});

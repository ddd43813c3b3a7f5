// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are keepalived.conf text, where ${NAME} is its own syntax
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Diagnostic } from '../../src/common/diagnostic.ts';
import { preprocess } from '../../src/keepalived/source-reader.ts';
import { stripComment, tokenizeLine } from '../../src/keepalived/tokenizer.ts';
import { memoryHost } from './helpers.ts';

const MAIN = '/etc/keepalived/keepalived.conf';

function run(text: string, configId = 'main', files: Record<string, string> = {}) {
  const diagnostics: Diagnostic[] = [];
  const lines = preprocess(
    { path: MAIN, text },
    { configId, host: memoryHost({ [MAIN]: text, ...files }), randomInt: (min, max) => min + max },
    diagnostics,
  );
  return { lines, texts: lines.map((l) => l.text), diagnostics };
}

test('comments: # and ! anywhere outside quotes', () => {
  assert.equal(stripComment('priority 100 # comment'), 'priority 100 ');
  assert.equal(stripComment('priority 100 ! comment'), 'priority 100 ');
  assert.equal(stripComment('script "a # b" # c'), 'script "a # b" ');
  assert.equal(stripComment("script 'x ! y'"), "script 'x ! y'");
  assert.equal(stripComment('vrrp_instance VI_1 {        #主从实例1'), 'vrrp_instance VI_1 {        ');
});

test('tokenizer: quotes glue to words, escapes, braces are words of their own', () => {
  const words = (s: string) => tokenizeLine(s, 'f', 1, []).map((t) => t.text);
  assert.deepEqual(words('abcd" efg h jkl "mnop'), ['abcd efg h jkl mnop']);
  assert.deepEqual(words('abcd "efg h jkl" mnop'), ['abcd', 'efg h jkl', 'mnop']);
  assert.deepEqual(words('x "a\\tb\\"c\\\\d\\x41\\101"'), ['x', 'a\tb"c\\dAA']);
  assert.deepEqual(words('track_script {chk}'), ['track_script', '{', 'chk', '}']);
  assert.deepEqual(words('notify "{x}"'), ['notify', '{x}']);
  const quotedBrace = tokenizeLine('"{"', 'f', 1, []);
  assert.equal(quotedBrace[0].quoted, true);
  const diags: Diagnostic[] = [];
  assert.deepEqual(
    tokenizeLine('router_id "abc', 'f', 7, diags).map((t) => t.text),
    ['router_id', 'abc'],
  );
  assert.equal(diags[0].line, 7);
  assert.equal(diags[0].code, 'CFG_ERR_KA_UNTERMINATED_QUOTE');
});

test('line numbers are those of the original file', () => {
  const { lines } = run('# c\n\nglobal_defs {\n\n   router_id X   ! c\n}\n');
  assert.deepEqual(
    lines.map((l) => [l.line, l.text]),
    [
      [3, 'global_defs {'],
      [5, 'router_id X'],
      [6, '}'],
    ],
  );
});

test('conditional lines: @id kept only for that id, @^id for every other id', () => {
  const text =
    '@main router_id main_router\n@backup router_id backup_router\n@^main peer 1.2.3.4\n@^backup peer 1.2.3.5\n';
  assert.deepEqual(run(text, 'main').texts, ['router_id main_router', 'peer 1.2.3.5']);
  assert.deepEqual(run(text, 'backup').texts, ['router_id backup_router', 'peer 1.2.3.4']);
  assert.deepEqual(run(text, 'other').texts, ['peer 1.2.3.4', 'peer 1.2.3.5']);
});

test('parameters: lazy recursive substitution, ${} form, undefined stays', () => {
  const text = [
    '$ADDRESS_BASE=10.2.${ADDRESS_BASE_SUB}',
    '$ADDRESS_BASE_SUB=0',
    '${ADDRESS_BASE}.100/32',
    '$ADDRESS_BASE_SUB=10',
    '${ADDRESS_BASE}.100/32',
    '$P=7',
    'priority $P',
    'a $P.x ${P}.x',
    'script "${UNDEF} $UNDEF"',
    '$EMPTY=',
    'x${EMPTY}y',
  ].join('\n');
  assert.deepEqual(run(text).texts, [
    '10.2.0.100/32',
    '10.2.10.100/32',
    'priority 7',
    'a $P.x 7.x',
    'script "${UNDEF} $UNDEF"',
    'xy',
  ]);
});

test('parameters combined with conditionals (keepalived.conf(5) examples)', () => {
  const text =
    '@main $PRIORITY=240\n@backup $PRIORITY=200\npriority $PRIORITY\n$IF_MAIN=@main\n$IF_MAIN advert_int 2\n';
  assert.deepEqual(run(text, 'main').texts, ['priority 240', 'advert_int 2']);
  assert.deepEqual(run(text, 'backup').texts, ['priority 200']);
});

test('multiline definitions, nested, with definitions and conditionals inside', () => {
  const text = [
    '$RS= \\',
    'real_server 192.168.${VS_NUM}.${RS_NUM} 80 { \\',
    '    weight 1 \\',
    '',
    '}',
    '$VS= \\',
    'virtual_server 10.0.${VS_NUM}.4 80 { \\',
    '    @high quorum 2 \\',
    '    $RS_NUM=1 \\',
    '    $RS \\',
    '    $RS_NUM=2 \\',
    '    $RS \\',
    '}',
    '$VS_NUM=0',
    '$VS',
  ].join('\n');
  const { lines, texts } = run(text, 'high');
  assert.deepEqual(texts, [
    'virtual_server 10.0.0.4 80 {',
    'quorum 2',
    'real_server 192.168.0.1 80 {',
    'weight 1',
    '}',
    'real_server 192.168.0.2 80 {',
    'weight 1',
    '}',
    '}',
  ]);
  assert.ok(
    lines.every((l) => l.line === 15),
    'expanded lines carry the line that used the parameter',
  );
  assert.deepEqual(run(text, 'low').texts[1], 'real_server 192.168.0.1 80 {');
});

test('an unterminated multiline definition is an error at its first line', () => {
  const { diagnostics } = run('x\n$M= \\\na \\\nb \\\n');
  assert.equal(diagnostics.length, 1);
  assert.equal(diagnostics[0].line, 2);
  assert.equal(diagnostics[0].code, 'CFG_ERR_KA_PARAM_MULTILINE_UNTERMINATED');
});

test('~SEQ, ~SEQx and ~LST repeat the rest of the line', () => {
  assert.deepEqual(run('~SEQ(SUBNET, 0, 3) ip_address 10.0.${SUBNET}.1').texts, [
    'ip_address 10.0.0.1',
    'ip_address 10.0.1.1',
    'ip_address 10.0.2.1',
    'ip_address 10.0.3.1',
  ]);
  assert.deepEqual(run('~SEQx(S, 0x90, 0x10, 0xc0) fe80::20:${S}:1').texts, [
    'fe80::20:90:1',
    'fe80::20:a0:1',
    'fe80::20:b0:1',
    'fe80::20:c0:1',
  ]);
  assert.deepEqual(run('~SEQ(N, 3) n${N}').texts, ['n1', 'n2', 'n3']);
  assert.deepEqual(run('~SEQ(N, 2, 0) n${N}').texts, ['n2', 'n1', 'n0']);
  assert.deepEqual(run('~SEQ(A, 1, 2) ~SEQ(B, 5, 6) ${A}.${B}').texts, ['1.5', '1.6', '2.5', '2.6']);
  assert.deepEqual(run('~LST({IP, IP1}, {10,1},{20,4}) ~SEQ(IP2,168,2,170) 192.${IP2}.${IP}.${IP1}').texts, [
    '192.168.10.1',
    '192.170.10.1',
    '192.168.20.4',
    '192.170.20.4',
  ]);
  const bad = run('~SEQ(N, 1, 0, 5) x');
  assert.equal(bad.diagnostics[0].code, 'CFG_ERR_KA_BAD_SEQUENCE');
  assert.deepEqual(bad.texts, []);
});

test('pre-defined parameters', () => {
  assert.deepEqual(
    run('a ${_INSTANCE}\nb ${_PWD}\nc ${_HASH}${_BANG}\nd ${_RANDOM 5 10}\ne ${_RANDOM}', 'node1').texts,
    ['a node1', 'b /etc/keepalived', 'c #!', 'd 15', 'e 32767'],
  );
});

test('a self-referencing parameter is reported, not looped on', () => {
  const { diagnostics } = run('$A=x $A\ny $A');
  assert.equal(diagnostics[0].code, 'CFG_ERR_KA_PARAM_LOOP');
  assert.equal(diagnostics[0].line, 2);
});

test('include: globs relative to the including file, in order, with their own line numbers', () => {
  const files = {
    '/etc/keepalived/conf.d/b.conf': '\nfrom_b\ninclude sub/*.conf\n',
    '/etc/keepalived/conf.d/a.conf': 'from_a\n',
    '/etc/keepalived/conf.d/x.txt': 'not matched\n',
    '/etc/keepalived/conf.d/sub/c.conf': 'from_c\n',
    '/abs/d.conf': 'from_d\n',
  };
  const { lines, diagnostics } = run('first\ninclude conf.d/*.conf\ninclude /abs/*.conf\nlast\n', 'x', files);
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(
    lines.map((l) => `${l.file}:${l.line}:${l.text}`),
    [
      `${MAIN}:1:first`,
      '/etc/keepalived/conf.d/a.conf:1:from_a',
      '/etc/keepalived/conf.d/b.conf:2:from_b',
      '/etc/keepalived/conf.d/sub/c.conf:1:from_c',
      '/abs/d.conf:1:from_d',
      `${MAIN}:4:last`,
    ],
  );
});

test('include: no match is a warning for include, an error for includea; loops are errors', () => {
  const files = { '/etc/keepalived/loop.conf': 'include keepalived.conf\n' };
  const { diagnostics } = run('include none/*.conf\nincludea none.conf\ninclude loop.conf\n', 'x', files);
  assert.deepEqual(
    diagnostics.map((d) => [d.severity, d.file, d.line, d.code]),
    [
      ['warning', MAIN, 1, 'CFG_WARN_KA_INCLUDE_NO_MATCH'],
      ['alert', MAIN, 2, 'CFG_ERR_KA_INCLUDE_NO_MATCH'],
      ['alert', '/etc/keepalived/loop.conf', 1, 'CFG_ERR_KA_INCLUDE_LOOP'],
    ],
  );
});

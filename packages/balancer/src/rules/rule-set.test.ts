/**
 * Fail closed: what the rule engine cannot evaluate stops start-up with the rule's file:line, whatever
 * in-effect.ts says about the action (a fetch, converter, predefined ACL or content condition the
 * engine does not have). The behaviour of what it applies is in test/rules.test.ts (vs HAProxy).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadBalancerConfigText } from '../config/load.ts';
import { RuleContext } from './context.ts';

const load = (lines: string, global = '') =>
  loadBalancerConfigText(
    [
      {
        path: 't.cfg',
        text: `${global}defaults\n    mode http\n    timeout client 1s\n    timeout server 1s\n    timeout connect 1s\nfrontend f\n    bind 127.0.0.1:8\n${lines}    default_backend b\nbackend b\n    server s 127.0.0.1:9\n`,
      },
    ],
    { env: {} },
  );

/** `file:line: message` of each alert (file:line is :0 when the message names it) */
const alerts = (l: ReturnType<typeof load>) =>
  l.diagnostics.filter((d) => d.severity === 'alert').map((d) => `${d.file}:${d.line}: ${d.message}`);

test('a condition on a fetch the engine does not have stops start-up at its line', () => {
  const l = load('    http-request deny if { req.payload(0,3) -m found }\n');
  assert.equal(l.engine, null);
  assert.match(
    alerts(l).join('\n'),
    // ours, not HAProxy's words: HAProxy has req.payload
    /parsing \[t\.cfg:8\] : 'http-request deny': sample fetch 'req\.payload' is not implemented yet/,
  );
});

test('a converter the engine does not have stops start-up at its line', () => {
  const l = load('    http-request set-header X %[src,sha2(256)]\n');
  assert.equal(l.engine, null);
  assert.match(alerts(l).join('\n'), /t\.cfg:8.*converter 'sha2' is not implemented yet/);
});

test('a named ACL that cannot be compiled names its own line too', () => {
  const l = load('    acl x req.ssl_sni -m found\n    use_backend b if x\n');
  assert.equal(l.engine, null);
  assert.match(alerts(l).join('\n'), /t\.cfg:9.*ACL 'x' \(t\.cfg:8\).*req\.ssl_sni/);
});

test('tcp-request content conditions on the HTTP request are refused in mode http (inspection is built for mode tcp)', () => {
  const l = load('    tcp-request inspect-delay 5s\n    tcp-request content reject if { path_beg /x }\n');
  assert.equal(l.engine, null);
  assert.match(
    alerts(l).join('\n'),
    /t\.cfg:9.*'tcp-request content reject'.*needs the connection's content/,
  );
});

test('a deny status without a built-in page is refused as HAProxy refuses it', () => {
  const l = load('    http-request deny deny_status 418\n');
  assert.equal(l.engine, null);
  assert.match(alerts(l).join('\n'), /status code '418' not handled by default/);
});

test('unsafe-ignore-unimplemented leaves out an unimplemented action and keeps the others', () => {
  const l = load(
    '    http-request silent-drop if { path_beg /t }\n    http-request deny if { path_beg /d }\n',
    'global\n    unsafe-ignore-unimplemented\n',
  );
  assert.ok(l.engine);
  const rules = l.engine.frontends[0].rules!;
  assert.equal(rules.httpRequest.length, 1, 'deny stays, silent-drop is left out');
});

test("a backend or server fetch in a frontend's request rules: refused in an expression, an ACL that never matches (HAProxy 2.6)", () => {
  // haproxy -c: "sample fetch <be_name]> may not be reliably used here because it needs 'backend' …"
  for (const [line, needs] of [
    ['    http-request set-header X %[be_name]\n', 'backend'],
    ['    http-request set-header X %[srv_name]\n', 'server'],
  ] as const) {
    const l = load(line);
    assert.equal(l.engine, null, line);
    assert.match(
      alerts(l).join('\n'),
      new RegExp(
        `t\\.cfg:8: error detected in frontend 'f' while parsing 'http-request set-header' rule : sample fetch '\\w+' may not be reliably used here because it needs '${needs}' which is not available here`,
      ),
    );
  }
  // after the backend is chosen they have a value: the frontend's response rules, a backend's requests
  assert.notEqual(load('    http-response set-header X %[be_name]%[srv_name]\n').engine, null);
  // haproxy -c warns "acl will never match … incompatible with 'frontend http-request header rule'";
  // the configuration is valid and the ACL false (the frontend is named `f`)
  const acl = load('    http-request deny if { be_name f }\n');
  assert.notEqual(acl.engine, null);
  const rules = acl.engine!.frontends[0].rules!;
  // in a frontend's request rules be_name would read the frontend's own name: the ACL must not see it
  const c = new RuleContext();
  c.feName = 'f';
  c.beName = 'f';
  assert.equal(rules.httpRequest[0].cond!(c), false);
});

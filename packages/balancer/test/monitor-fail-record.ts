/**
 * `monitor fail { if | unless } COND` on a monitor-uri frontend, recorded from HAProxy 2.6 into
 * monitor-fail-expected.json (never hand-written); checks.test.ts holds the balancer to it:
 *   node packages/balancer/test/monitor-fail-record.ts            # (re)write the file from the real haproxy
 *   node packages/balancer/test/monitor-fail-record.ts --balancer # print the balancer's answers
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCheckTarget } from './support/check-target.ts';
import { freePorts } from './support/ports.ts';
import { haproxyPath, type ProxyKind, startProxy } from './support/proc.ts';
import { exchange } from './support/raw-client.ts';

export const MONITOR_FAIL_EXPECTED = join(import.meta.dirname, 'monitor-fail-expected.json');

/** Requests to the monitor URI, by name; X-Fail makes the first condition hold. */
export const MONITOR_FAIL_CASES: Record<string, string> = {
  fail11: 'GET /alive HTTP/1.1\r\nHost: x\r\nX-Fail: 1\r\n\r\n',
  fail10: 'GET /alive HTTP/1.0\r\nX-Fail: 1\r\n\r\n',
  failHead: 'HEAD /alive HTTP/1.1\r\nHost: x\r\nX-Fail: 1\r\n\r\n',
  failThenOk:
    'GET /alive HTTP/1.1\r\nHost: x\r\nX-Fail: 1\r\n\r\nGET /alive HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
  ok: 'GET /alive HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
  // the second condition: `unless { nbsrv(be) ge 1 }` holds in the frontend whose backend has no server up
  deadBackend: 'GET /alive HTTP/1.1\r\nHost: y\r\nConnection: close\r\n\r\n',
};

export async function recordMonitorFail(
  kind: ProxyKind,
): Promise<Record<string, { response: string; closed: boolean }>> {
  const [fe, fe2, srv] = await freePorts(3);
  const target = await startCheckTarget(srv, { kind: 'http', status: 200, body: 'from server' });
  const cfg =
    `global\n    nbthread 1\ndefaults\n    mode http\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n` +
    `frontend fe\n    bind 127.0.0.1:${fe}\n    monitor-uri /alive\n    monitor fail if { hdr(x-fail) -m found }\n    monitor fail unless { nbsrv(be) ge 1 }\n    default_backend be\n` +
    `frontend fe2\n    bind 127.0.0.1:${fe2}\n    monitor-uri /alive\n    monitor fail unless { nbsrv(dead) ge 1 }\n    default_backend dead\n` +
    `backend be\n    server s 127.0.0.1:${srv}\n` +
    `backend dead\n    server s 127.0.0.1:${srv} disabled\n`;
  const proxy = await startProxy(kind, cfg, [fe, fe2]);
  try {
    const out: Record<string, { response: string; closed: boolean }> = {};
    for (const [name, req] of Object.entries(MONITOR_FAIL_CASES)) {
      const r = await exchange(name === 'deadBackend' ? fe2 : fe, req, { ms: 1500 });
      out[name] = { response: r.text, closed: r.closed };
    }
    return out;
  } finally {
    await proxy.stop();
    await target.close();
  }
}

if (import.meta.main) {
  if (process.argv.includes('--balancer')) {
    console.log(JSON.stringify(await recordMonitorFail('balancer'), null, 2));
  } else {
    const bin = haproxyPath();
    if (!bin) throw new Error('haproxy not found');
    const out = {
      recordedWith: execFileSync(bin, ['-v'], { encoding: 'utf8' }).split('\n')[0],
      cases: await recordMonitorFail('haproxy'),
    };
    writeFileSync(MONITOR_FAIL_EXPECTED, `${JSON.stringify(out, null, 2)}\n`);
    console.log(JSON.stringify(out, null, 2));
  }
}

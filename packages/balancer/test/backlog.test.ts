/**
 * A listener's accept backlog is HAProxy 2.6's: the bind's `backlog`, else the frontend's maxconn (its
 * own or its defaults'), else global maxconn. The same configurations run through haproxy and the
 * balancer in one test; the backlog each kernel socket got is read with `ss -ltn` (a listening
 * socket's Send-Q), so the expectation is what haproxy did, not what the balancer computes.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { freePorts } from './support/ports.ts';
import { haproxyPath, startBalancer, startHaproxy } from './support/proc.ts';

/** port → the backlog of the socket listening on 127.0.0.1:port */
function backlogs(ports: readonly number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const line of execFileSync('ss', ['-ltnH'], { encoding: 'utf8' }).split('\n')) {
    const f = line.trim().split(/\s+/);
    const m = /^127\.0\.0\.1:(\d+)$/.exec(f[3] ?? '');
    if (m && ports.includes(Number(m[1]))) out.set(Number(m[1]), Number(f[2]));
  }
  return out;
}

const DEFAULTS = (maxconn: string) =>
  `defaults\n    mode http\n${maxconn}    timeout client 5s\n    timeout server 5s\n    timeout connect 1s\n`;

describe('listen backlog', { skip: haproxyPath() ? false : 'haproxy not installed' }, () => {
  const cases: [string, (p: number[]) => string][] = [
    [
      'defaults maxconn, a frontend maxconn, a bind backlog',
      (p) =>
        `${DEFAULTS('    maxconn 100\n')}frontend a\n    bind 127.0.0.1:${p[0]}\n    http-request return status 200\n` +
        `frontend b\n    bind 127.0.0.1:${p[1]}\n    maxconn 300\n    http-request return status 200\n` +
        `frontend c\n    bind 127.0.0.1:${p[2]} backlog 50\n    http-request return status 200\n`,
    ],
    [
      'global maxconn only',
      (p) =>
        `global\n    maxconn 200\n${DEFAULTS('')}frontend a\n    bind 127.0.0.1:${p[0]}\n    http-request return status 200\n` +
        `frontend b\n    bind 127.0.0.1:${p[1]}\n    maxconn 70\n    http-request return status 200\n` +
        `frontend c\n    bind 127.0.0.1:${p[2]} backlog 900\n    http-request return status 200\n`,
    ],
  ];
  for (const [what, cfg] of cases)
    it(`${what}: the backlog haproxy gives each listener`, async () => {
      const ph = await freePorts(3);
      const pb = await freePorts(3);
      const h = await startHaproxy(cfg(ph), ph);
      let want: number[];
      try {
        const got = backlogs(ph);
        want = ph.map((p) => got.get(p) ?? -1);
      } finally {
        await h.stop();
      }
      const b = await startBalancer(cfg(pb), pb);
      try {
        const got = backlogs(pb);
        assert.deepEqual(
          pb.map((p) => got.get(p) ?? -1),
          want,
        );
      } finally {
        await b.stop();
      }
    });
});

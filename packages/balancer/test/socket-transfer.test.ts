/**
 * HAProxy's listening-socket transfer: `-x SOCKET` with `-sf PID` takes the old process's listening
 * sockets over its `stats socket … expose-fd listeners` (`_getsocks`), so the new process accepts on
 * the very same sockets — their accept queues included — and nothing waiting is lost when the old one
 * leaves. Both sides speak HAProxy 2.6's format, so either may be the real haproxy: haproxy → balancer
 * (migrating a running HAProxy), balancer → haproxy, balancer → balancer. Proven by the socket's inode
 * (/proc/net/tcp) staying the same while eight clients keep sending requests on new connections; and
 * `-x` to a socket nobody listens on fails with haproxy 2.6's two lines (recorded by hand:
 * "Failed to connect to the old process socket '…'" then "Failed to get the sockets from the old
 * process!", exit 1).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseProcNetTcp } from '../src/listen/systemd-fds.ts';
import { HTTP_DEFAULTS } from './support/config-lines.ts';
import { makeTempDir } from './support/env.ts';
import { freePort, waitForPort } from './support/ports.ts';
import { haproxyPath, runCli } from './support/proc.ts';
import { waitFor } from './support/wait-for.ts';

const HAPROXY = haproxyPath();

/** The inode of the socket listening on 127.0.0.1:port. */
function inodeOf(port: number): string | null {
  const rows = parseProcNetTcp(readFileSync('/proc/net/tcp', 'latin1'), 4);
  return rows.find((r) => r.address.port === port && r.address.host === '127.0.0.1')?.inode ?? null;
}

function get(port: number): Promise<string> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 3000 }, (res) => {
      let b = '';
      res.on('data', (d) => (b += d));
      res.on('end', () => resolve(b.trim()));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e: NodeJS.ErrnoException) => resolve(`error ${e.code ?? e.message}`));
  });
}

type Kind = 'haproxy' | 'balancer';

interface Proc {
  child: ChildProcess;
  text: () => string;
  exited: () => boolean;
}

function start(kind: Kind, cfg: string, extra: string[]): Proc {
  if (kind === 'balancer') {
    const { child, out } = runCli(['-db', ...extra, '-f', cfg]);
    return { child, text: () => out.text, exited: () => out.code !== null || out.signal !== null };
  }
  const child = spawn(HAPROXY!, ['-db', ...extra, '-f', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  let done = false;
  child.stdout?.on('data', (d) => (text += d));
  child.stderr?.on('data', (d) => (text += d));
  child.on('exit', () => (done = true));
  return { child, text: () => text, exited: () => done };
}

describe('listening-socket transfer (-x, expose-fd listeners)', {
  skip: HAPROXY ? false : 'haproxy not installed',
}, () => {
  const tmp = makeTempDir('xfer');
  after(() => tmp.remove());
  let n = 0;

  const config = (kind: Kind, port: number, sock: string) => {
    const cfg = join(tmp.dir, `${kind}-${n++}.cfg`);
    writeFileSync(
      cfg,
      [
        'global',
        `    stats socket ${sock} expose-fd listeners level admin`,
        ...(kind === 'balancer' ? [`    health-socket ${join(tmp.dir, `h${n}.sock`)}`] : []),
        ...HTTP_DEFAULTS,
        'frontend fe',
        `    bind 127.0.0.1:${port}`,
        `    http-request return status 200 content-type text/plain string ${kind}`,
        '',
      ].join('\n'),
    );
    return cfg;
  };

  for (const [from, to] of [
    ['haproxy', 'balancer'],
    ['balancer', 'haproxy'],
    ['balancer', 'balancer'],
  ] as const)
    it(`${from} → ${to}: the same socket changes hands under load, no request lost`, async (t) => {
      const port = await freePort();
      const oldSock = join(tmp.dir, `old-${n}.sock`);
      const old = start(from, config(from, port, oldSock), []);
      let next: Proc | undefined;
      try {
        await waitForPort(port, { alive: () => !old.exited() });
        assert.ok(await waitFor(() => inodeOf(port) !== null, 5000, 20));
        const inode = inodeOf(port);
        const results: string[] = [];
        let handedOver = false;
        const end = Date.now() + 20_000;
        const client = async () => {
          while (results.length < 20_000 && Date.now() < end) {
            results.push(await get(port));
            if (handedOver && results.length > 50) break;
          }
        };
        const load = Promise.all([...Array(8).keys()].map(client));
        assert.ok(await waitFor(() => results.length >= 40, 10_000, 10));
        next = start(to, config(to, port, join(tmp.dir, `new-${n}.sock`)), [
          '-x',
          oldSock,
          '-sf',
          String(old.child.pid),
        ]);
        assert.ok(
          await waitFor(() => old.exited(), 15_000, 20),
          `the old process left:\n${old.text()}\n${next.text()}`,
        );
        handedOver = true;
        await load;
        assert.equal(inodeOf(port), inode, 'the new process listens on the old one’s socket');
        const failed = results.filter((r) => r !== 'haproxy' && r !== 'balancer');
        t.diagnostic(
          `${results.length} requests, ${new Set(results).size} answers: ${[...new Set(results)].join(', ')}`,
        );
        assert.deepEqual(failed, [], `${failed.length} of ${results.length} failed`);
        assert.equal(await get(port), to, 'the new process answers');
        assert.ok(!next.exited(), next.text());
      } finally {
        old.child.kill('SIGKILL');
        next?.child.kill('SIGKILL');
      }
    });

  it("-x to a socket nobody listens on: haproxy 2.6's warning and alert, exit 1", async () => {
    const port = await freePort();
    const missing = join(tmp.dir, 'nobody.sock');
    const p = start('balancer', config('balancer', port, join(tmp.dir, 'x.sock')), ['-x', missing]);
    assert.ok(await waitFor(() => p.exited(), 15_000, 20), p.text());
    assert.equal(p.child.exitCode, 1);
    assert.match(
      p.text(),
      new RegExp(`\\[WARNING\\]  \\(\\d+\\) : Failed to connect to the old process socket '${missing}'\\n`),
    );
    assert.match(p.text(), /\[ALERT\] {4}\(\d+\) : Failed to get the sockets from the old process!\n/);
  });
});

/**
 * The behaviour tests of the process-model keywords marked `applied` in src/config/in-effect.ts
 * (in-effect.test.ts runs them with its other EFFECTS): `nbthread` (worker processes), `cpu-map`
 * (their CPUs), `user`/`group`/`uid`/`gid` (root given up after binding; run as root only, else the
 * test says it is skipped by passing trivially — the behaviour needs root to be observable),
 * `chroot` (entered before root is given up; root only, as the ids), `daemon` and `master-worker` (the start modes of process-mode-run.ts, as haproxy 2.6 answers them
 * in process-mode-expected.json).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import { join } from 'node:path';
import { MODE_CASES, runModeCase } from './process-mode-run.ts';
import { isRoot, makeTempDir } from './support/env.ts';
import { freePort } from './support/ports.ts';
import { childPids as children, runCli } from './support/proc.ts';
import { waitFor } from './support/wait-for.ts';

const DEFAULTS = `defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
`;

/** `balancer -f` on `global` + a listen on `port` whose server answers `ok`; stopped by the returned function. */
async function start(global: string, port: number) {
  const up = http.createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => up.listen(0, '127.0.0.1', r));
  const tmp = makeTempDir('workers-effects');
  const cfg = join(tmp.dir, 'haproxy.cfg');
  writeFileSync(
    cfg,
    `global\n    health-socket ${tmp.dir}/h.sock\n${global}${DEFAULTS}listen l\n    bind 127.0.0.1:${port}\n    server s 127.0.0.1:${(up.address() as net.AddressInfo).port}\n`,
  );
  const { child, out } = runCli(['-f', cfg]);
  const served = await waitFor(async () => (await get(port).catch(() => '')) === 'ok', 15_000, 50);
  assert.ok(served, out.text);
  return {
    pid: child.pid!,
    out,
    async stop() {
      child.kill('SIGTERM');
      await waitFor(() => out.code !== null || out.signal !== null, 10_000);
      up.close();
      tmp.remove();
    },
  };
}

function get(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, agent: false }, (res) => {
        let b = '';
        res.on('data', (d) => {
          b += d;
        });
        res.on('end', () => resolve(b));
      })
      .on('error', reject);
  });
}

const status = (pid: number, field: string): string =>
  new RegExp(`^${field}:\\s*(.*)$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '';

/** The worker number the master gave the process (its BALANCER_WORKER). */
const workerNumber = (pid: number): number =>
  Number(/(?:^|\0)BALANCER_WORKER=(\d+)/.exec(readFileSync(`/proc/${pid}/environ`, 'latin1'))?.[1]);

/** A free port below 1024 (binding it needs root). */
async function privilegedPort(): Promise<number> {
  const net = await import('node:net');
  for (let p = 900; p < 1000; p++) {
    const ok = await new Promise<boolean>((r) => {
      const s = net.createServer();
      s.once('error', () => r(false));
      s.listen(p, '127.0.0.1', () => s.close(() => r(true)));
    });
    if (ok) return p;
  }
  throw new Error('no free port in 900-999');
}

async function dropsTo(global: string, uid: number, gid: number, workers = 1): Promise<void> {
  if (!isRoot) return; // observable as root only
  const port = await privilegedPort();
  const lb = await start(`${global}${workers > 1 ? `    nbthread ${workers}\n` : ''}`, port);
  try {
    const procs = workers > 1 ? [lb.pid, ...children(lb.pid)] : [lb.pid];
    // (serving starts with the first bound worker; the master drops once all are up, right after)
    const uidOf = (pid: number) => status(pid, 'Uid').split(/\s+/)[0];
    await waitFor(() => procs.every((p) => uidOf(p) === String(uid)), 5000, 20);
    for (const pid of procs) {
      assert.equal(status(pid, 'Uid').split(/\s+/)[0], String(uid), `uid of ${pid}`);
      assert.equal(status(pid, 'Gid').split(/\s+/)[0], String(gid), `gid of ${pid}`);
    }
    // the port below 1024 bound as root still serves
    assert.equal(await get(port), 'ok');
  } finally {
    await lb.stop();
  }
}

export const WORKER_EFFECTS: Record<string, () => Promise<void>> = {
  async daemon() {
    // the command returns 0 once the daemon serves; the pid file holds the daemon's pid
    assert.deepEqual(await runModeCase('balancer', MODE_CASES['daemon in global']), {
      returned: true,
      status: 0,
      pidfile: 'other',
      processes: 1,
    });
    // -db keeps it in the foreground, and a foreground process writes no pid file (haproxy 2.6)
    assert.deepEqual(await runModeCase('balancer', MODE_CASES['daemon + -db']), {
      returned: false,
      status: null,
      pidfile: 'none',
      processes: 1,
    });
  },
  async 'master-worker'() {
    // a master (the pid file's) with one worker serving
    assert.deepEqual(await runModeCase('balancer', MODE_CASES['master-worker in global']), {
      returned: false,
      status: null,
      pidfile: 'started',
      processes: 2,
    });
  },
  async nbthread() {
    const lb = await start('    nbthread 2\n', await freePort());
    try {
      assert.equal(children(lb.pid).length, 2, lb.out.text);
    } finally {
      await lb.stop();
    }
    const one = await start('    nbthread 1\n', await freePort());
    try {
      assert.equal(children(one.pid).length, 0, 'nbthread 1: the process serves alone');
    } finally {
      await one.stop();
    }
  },
  async 'cpu-map'() {
    const cpus = Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
    const lb = await start('    nbthread 2\n    cpu-map auto:1/1-2 0-1\n', await freePort());
    try {
      const got = children(lb.pid)
        .map((pid) => [workerNumber(pid), status(pid, 'Cpus_allowed_list')] as const)
        .sort((a, b) => a[0] - b[0]);
      if (cpus >= 2)
        assert.deepEqual(got, [
          [1, '0'],
          [2, '1'],
        ]);
      else assert.match(lb.out.text, /cpu-map: worker 2 is not pinned/);
    } finally {
      await lb.stop();
    }
  },
  uid: () => dropsTo('    uid 65534\n', 65534, 0),
  gid: () => dropsTo('    gid 65534\n', 0, 65534),
  user: () => dropsTo('    user nobody\n    group nogroup\n', 65534, 65534, 2),
  group: () => dropsTo('    group nogroup\n', 0, 65534),
  // chroot (cli/jail.ts), with `user`: entered before root is given up. One process: it is in the
  // directory as nobody. Workers: each is, and the master stays at / as root — as haproxy 2.6's master
  // (checked by hand: /proc/PID/root and Uid of both) — so that a reload's new workers can enter it too.
  async chroot() {
    if (!isRoot) return; // chroot(2) needs root
    const jail = makeTempDir('chroot-effect');
    const rootOf = (pid: number) => readlinkSync(`/proc/${pid}/root`);
    const uidOf = (pid: number) => status(pid, 'Uid').split(/\s+/)[0];
    try {
      const one = await start(`    chroot ${jail.dir}\n    user nobody\n`, await freePort());
      try {
        await waitFor(() => uidOf(one.pid) === '65534', 5000, 20);
        assert.deepEqual([rootOf(one.pid), uidOf(one.pid)], [jail.dir, '65534'], one.out.text);
      } finally {
        await one.stop();
      }
      const mw = await start(`    chroot ${jail.dir}\n    user nobody\n    nbthread 2\n`, await freePort());
      try {
        const inJail = () => {
          const ws = children(mw.pid);
          return ws.length === 2 && ws.every((w) => rootOf(w) === jail.dir && uidOf(w) === '65534');
        };
        assert.ok(await waitFor(inJail, 5000, 20), mw.out.text);
        assert.deepEqual([rootOf(mw.pid), uidOf(mw.pid)], ['/', '0'], 'the master');
        const before = children(mw.pid);
        const replaced = () => inJail() && children(mw.pid).every((w) => !before.includes(w));
        // a SIGUSR2 that comes before the master has finished starting is ignored (as it says): again
        const asked = () => mw.out.text.includes('SIGUSR2 received: new configuration applied');
        for (let i = 0; i < 20 && !asked(); i++) {
          process.kill(mw.pid, 'SIGUSR2');
          await waitFor(asked, 500, 20);
        }
        assert.ok(
          await waitFor(replaced, 15_000, 50),
          `new workers, in the directory as nobody: ${mw.out.text}`,
        );
      } finally {
        await mw.stop();
      }
    } finally {
      jail.remove();
    }
  },
};

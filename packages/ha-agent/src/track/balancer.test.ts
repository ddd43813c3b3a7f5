import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type FakeBalancer, startFakeBalancer } from '../../test/support/fake-balancer.ts';
import { waitFor } from '../../test/support/wait-for.ts';
import { TrackerStatusSchema } from '../api/status-schema.ts';
import { trackerStatus } from '../api/tracker-status.ts';
import { BalancerTracker } from './balancer.ts';
import { runTrackerSuite } from './tracker.case.ts';

let dir: string;
let n = 0;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'ha-track-balancer-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));
const sockPath = () => join(dir, `h${n++}.sock`);

const HEARTBEAT_MS = 40;
const fast = { initialMs: 20, maxMs: 100 };

runTrackerSuite({
  kind: 'balancer',
  rise: true,
  fall: false,
  async make(o) {
    const socket = sockPath();
    let fake: FakeBalancer | null = o.healthy
      ? await startFakeBalancer({ socket, heartbeatMs: HEARTBEAT_MS })
      : null;
    let linesBefore = 0;
    const tracker = new BalancerTracker({
      name: o.name,
      socket,
      weight: o.weight,
      reverse: o.reverse,
      rise: o.rise,
      fall: o.fall,
      heartbeatTimeout: 0.25,
      backoff: fast,
    });
    return {
      tracker,
      async setHealthy(ok) {
        if (ok && !fake) fake = await startFakeBalancer({ socket, heartbeatMs: HEARTBEAT_MS });
        if (!ok && fake) {
          linesBefore += fake.linesSent;
          await fake.destroy();
          fake = null;
        }
      },
      successes: () => linesBefore + (fake?.linesSent ?? 0),
      async cleanup() {
        await fake?.destroy();
        fake = null;
      },
    };
  },
});

describe('BalancerTracker specifics', () => {
  const trackers: BalancerTracker[] = [];
  const fakes: FakeBalancer[] = [];
  after(async () => {
    for (const t of trackers) await t.stop();
    for (const f of fakes) await f.destroy().catch(() => {});
  });
  const track = (socket: string, extra: Partial<ConstructorParameters<typeof BalancerTracker>[0]> = {}) => {
    const t = new BalancerTracker({ name: 'lb', socket, heartbeatTimeout: 0.3, backoff: fast, ...extra });
    trackers.push(t);
    return t;
  };

  it('a hung balancer (no heartbeats, socket open) fails after fall × heartbeat_timeout', async () => {
    const socket = sockPath();
    const fake = await startFakeBalancer({ socket, heartbeatMs: HEARTBEAT_MS });
    fakes.push(fake);
    const t = track(socket, { heartbeatTimeout: 0.15, fall: 3 });
    t.start();
    await waitFor(() => t.state.up, 2000, 'up');
    const hungAt = performance.now();
    fake.setHeartbeats(false);
    await waitFor(() => !t.state.up, 3000, 'down after silence');
    const took = performance.now() - hungAt;
    assert.ok(
      took >= 3 * 150 - HEARTBEAT_MS,
      `down after ${took.toFixed(0)} ms, expected ≥ 3 windows of 150 ms`,
    );
    assert.equal(fake.watchers, 1, 'the stream stayed open');
    assert.match(t.state.reason, /no line/);
    fake.setHeartbeats(true);
    await waitFor(() => t.state.up, 2000, 'up again when heartbeats resume');
  });

  it('warns when heartbeat_timeout is shorter than two of the balancer’s heartbeats', async () => {
    const socket = sockPath();
    const fake = await startFakeBalancer({ socket, heartbeatMs: 200 });
    fakes.push(fake);
    const warnings: string[] = [];
    const logger = {
      debug() {},
      info() {},
      error() {},
      warn: (_o: object, msg?: string) => warnings.push(msg ?? ''),
    };
    const t = track(socket, { heartbeatTimeout: 0.3, logger });
    t.start();
    await waitFor(() => t.state.up, 2000, 'up');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /set heartbeat_timeout 0\.4 or more/);
  });

  it('a graceful stop (`stopping` event) fails the tracker at once', async () => {
    const socket = sockPath();
    const fake = await startFakeBalancer({ socket, heartbeatMs: HEARTBEAT_MS });
    const t = track(socket, { heartbeatTimeout: 5 });
    t.start();
    await waitFor(() => t.state.up, 2000, 'up');
    const reasons: string[] = [];
    t.on('change', (s) => reasons.push(s.reason));
    await fake.stopGracefully();
    await waitFor(() => !t.state.up, 1000, 'down');
    assert.equal(reasons[0], 'balancer stopping');
  });

  it('status starting/stopping in a change event fails it; ready again brings it back', async () => {
    const socket = sockPath();
    const fake = await startFakeBalancer({ socket, heartbeatMs: HEARTBEAT_MS });
    fakes.push(fake);
    const t = track(socket);
    t.start();
    await waitFor(() => t.state.up, 2000, 'up');
    fake.setStatus('starting');
    await waitFor(() => !t.state.up, 1000, 'down');
    assert.equal(t.state.reason, 'balancer status starting');
    fake.setStatus('ready');
    await waitFor(() => t.state.up, 1000, 'up');
  });

  it('a snapshot that is not ready keeps it down; heartbeats do not count then', async () => {
    const socket = sockPath();
    const fake = await startFakeBalancer({ socket, heartbeatMs: HEARTBEAT_MS, status: 'starting' });
    fakes.push(fake);
    const t = track(socket);
    t.start();
    await waitFor(() => fake.heartbeatsSent >= 5, 2000, 'heartbeats');
    assert.equal(t.state.up, false);
  });

  it('no socket, and a socket nobody listens on, keep it down (said as such) and it keeps retrying', async () => {
    const socket = sockPath();
    const t = track(socket);
    t.start();
    await waitFor(() => t.connects >= 3, 2000, 'reconnect attempts');
    assert.equal(t.state.up, false);
    assert.equal(
      t.state.reason,
      `health socket ${socket} does not exist (is the balancer running, with haproxy.cfg's global health-socket at this path?)`,
    );
    // A balancer killed with SIGKILL leaves its socket file behind: connecting is refused.
    const stale = spawnSync(process.execPath, [
      '-e',
      `require('node:net').createServer().listen(${JSON.stringify(socket)}, () => process.kill(process.pid, 'SIGKILL'))`,
    ]);
    assert.equal(stale.signal, 'SIGKILL');
    const connects = t.connects;
    await waitFor(() => t.connects > connects + 1, 3000, 'a reconnect to the stale socket');
    assert.equal(t.state.reason, `nothing listens on health socket ${socket} (the balancer is not running)`);
    const fake = await startFakeBalancer({ socket, heartbeatMs: HEARTBEAT_MS });
    fakes.push(fake);
    await waitFor(() => t.state.up, 2000, 'up once the balancer appears');
  });

  it('a server that is not HTTP (garbage) fails it and the connection is dropped', async () => {
    const socket = sockPath();
    const srv = createServer((c) => c.end('SSH-2.0-nope\r\n\r\n'));
    await new Promise<void>((r) => srv.listen(socket, r));
    try {
      const t = track(socket);
      t.start();
      await waitFor(() => t.connects >= 2, 2000, 'retries');
      assert.equal(t.state.up, false);
    } finally {
      srv.close();
    }
  });

  it('fake-balancer CLI: SIGUSR1 hangs/resumes heartbeats, SIGTERM is a graceful stop (exit 0)', async () => {
    const socket = sockPath();
    const child = spawn(
      process.execPath,
      [
        new URL('../../test/support/fake-balancer.ts', import.meta.url).pathname,
        '--socket',
        socket,
        '--heartbeat-ms',
        '50',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (d: Buffer) => d.toString().includes(`READY ${socket}`) && resolve());
        child.once('exit', (code) => reject(new Error(`fake balancer exited ${code}`)));
      });
      const t = track(socket, { heartbeatTimeout: 0.2 });
      t.start();
      await waitFor(() => t.state.up, 3000, 'up');
      child.kill('SIGUSR1');
      await waitFor(() => !t.state.up, 3000, 'down: hung');
      assert.match(t.state.reason, /no line/);
      child.kill('SIGUSR1');
      await waitFor(() => t.state.up, 3000, 'up: heartbeats again');
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      const reasons: string[] = [];
      t.on('change', (st) => reasons.push(st.reason));
      child.kill('SIGTERM');
      await waitFor(() => !t.state.up, 3000, 'down: stopping');
      assert.equal(reasons[0], 'balancer stopping', 'the stopping event, before the close');
      assert.equal(await exited, 0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('SIGKILL of the process serving the health API fails it before any heartbeat timeout could', async () => {
    const socket = sockPath();
    const heartbeatTimeout = 1; // the hang detector would need 1000 ms; the close must be seen far sooner
    const child = spawn(
      process.execPath,
      [
        new URL('../../test/support/fake-balancer.ts', import.meta.url).pathname,
        '--socket',
        socket,
        '--heartbeat-ms',
        '200',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (d: Buffer) => d.toString().includes('READY') && resolve());
        child.once('exit', (code) => reject(new Error(`fake balancer exited ${code}`)));
      });
      const t = track(socket, { heartbeatTimeout });
      t.start();
      await waitFor(() => t.state.up, 3000, 'up');
      let downAt = 0;
      t.on('change', (s) => {
        if (!s.up && !downAt) downAt = performance.now();
      });
      const killedAt = performance.now();
      child.kill('SIGKILL');
      await waitFor(() => downAt > 0, heartbeatTimeout * 1000, 'down before the heartbeat timeout');
      const took = downAt - killedAt;
      console.log(
        `# balancer SIGKILL → tracker down in ${took.toFixed(1)} ms (heartbeat_timeout ${heartbeatTimeout * 1000} ms)`,
      );
      // the reason proves the close was seen (not the silence); the time that it beat the hang detector
      assert.ok(took < heartbeatTimeout * 1000, `took ${took} ms`);
      assert.match(t.state.reason, /closed/);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('restart_grace: a crashed balancer that comes back keeps the tracker up', () => {
  const trackers: BalancerTracker[] = [];
  const fakes: FakeBalancer[] = [];
  after(async () => {
    for (const t of trackers) await t.stop();
    for (const f of fakes) await f.destroy().catch(() => {});
  });
  const setup = async (restartGrace: number, extra: { rise?: number } = {}) => {
    const socket = sockPath();
    const fake = await startFakeBalancer({ socket, heartbeatMs: HEARTBEAT_MS });
    fakes.push(fake);
    const t = new BalancerTracker({
      name: 'lb',
      socket,
      heartbeatTimeout: 0.5,
      backoff: fast,
      restartGrace,
      ...extra,
    });
    trackers.push(t);
    const downs: string[] = [];
    t.on('change', (s) => {
      if (!s.up) downs.push(s.reason);
    });
    t.start();
    await waitFor(() => t.state.up, 2000, 'up');
    return { socket, fake, t, downs };
  };
  const restart = async (socket: string, status?: 'ready' | 'starting') => {
    const f = await startFakeBalancer({ socket, heartbeatMs: HEARTBEAT_MS, status });
    fakes.push(f);
    return f;
  };

  it('crash, restarted within the grace: never down, and the new balancer is tracked', async () => {
    const { socket, fake, t, downs } = await setup(2, { rise: 2 });
    await fake.destroy();
    await waitFor(() => t.graceUntil !== null, 2000, 'the grace begins when the stream drops');
    assert.equal(t.state.up, true);
    assert.match(t.state.reason, /restart_grace: holding/);
    const shown = TrackerStatusSchema.parse(trackerStatus(t));
    assert.ok(
      shown.restartGraceRemainingMs !== undefined && shown.restartGraceRemainingMs <= 2000,
      '/status shows the grace left',
    );
    const again = await restart(socket);
    await waitFor(() => t.graceUntil === null, 3000, 'the grace ends once the new balancer rose');
    assert.deepEqual(downs, [], 'the tracker never went down');
    assert.equal(t.state.up, true);
    assert.match(t.state.reason, /restarted within restart_grace/);
    assert.equal(trackerStatus(t).restartGraceRemainingMs, undefined);
    // a later crash without a restart still fails it (a new grace, then down)
    await again.destroy();
    await waitFor(() => !t.state.up, 4000, 'down after the second grace');
    assert.match(t.state.reason, /did not come back within restart_grace 2s/);
  });

  it('crash, not restarted: down when the grace ends, not before', async () => {
    const { fake, t, downs } = await setup(0.4);
    const at = performance.now();
    await fake.destroy();
    await waitFor(() => !t.state.up, 3000, 'down after the grace');
    const took = performance.now() - at;
    assert.ok(took >= 400 - 20, `down after ${took.toFixed(0)} ms, before the 400 ms grace ended`);
    assert.equal(downs.length, 1);
    assert.match(downs[0], /did not come back within restart_grace 0\.4s/);
  });

  it('a graceful stop gets no grace: down at once', async () => {
    const { fake, t, downs } = await setup(5);
    await fake.stopGracefully();
    await waitFor(() => !t.state.up, 1000, 'down at once');
    assert.equal(t.graceUntil, null);
    assert.match(downs[0], /balancer stopping/);
  });

  it('the restarted balancer says it is not ready: down at once, the grace ends', async () => {
    const { socket, fake, t } = await setup(5);
    await fake.destroy();
    await waitFor(() => t.graceUntil !== null, 2000, 'grace');
    await restart(socket, 'starting');
    await waitFor(() => !t.state.up, 2000, 'down on the new balancer’s status');
    assert.equal(t.graceUntil, null);
    assert.match(t.state.reason, /balancer status starting/);
  });

  it('restart_grace 0 (the default): a crash is down at once', async () => {
    const { fake, t } = await setup(0);
    await fake.destroy();
    await waitFor(() => !t.state.up, 1000, 'down at once');
    assert.equal(t.graceUntil, null);
  });
});

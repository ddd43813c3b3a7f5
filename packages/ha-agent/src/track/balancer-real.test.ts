/**
 * The tracker against the real balancer process (packages/balancer, contract C server side): proves the
 * two sides of the health API agree, and measures crash detection on the real thing.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { freePort } from '../../test/support/free-port.ts';
import { waitFor } from '../../test/support/wait-for.ts';
import { BalancerTracker } from './balancer.ts';

const bin = new URL('../../../balancer/src/cli.ts', import.meta.url).pathname;

describe('BalancerTracker ↔ the real balancer', { skip: !existsSync(bin) && 'balancer not built' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ha-real-lb-'));
  const children: ChildProcess[] = [];
  const trackers: BalancerTracker[] = [];
  after(async () => {
    for (const t of trackers) await t.stop();
    for (const c of children) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  async function startBalancer(
    name: string,
    takeOverFrom?: ChildProcess,
  ): Promise<{ child: ChildProcess; socket: string }> {
    const socket = join(dir, `${name}.sock`);
    const cfg = join(dir, `${name}.cfg`);
    if (takeOverFrom === undefined)
      writeFileSync(
        cfg,
        `global\n    health-socket ${socket}\ndefaults\n    mode http\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n` +
          `frontend fe\n    bind 127.0.0.1:${await freePort()}\n    default_backend be\nbackend be\n    server s1 127.0.0.1:9\n`,
      );
    const sf = takeOverFrom === undefined ? [] : ['-sf', String(takeOverFrom.pid)];
    const child = spawn(process.execPath, [bin, '-f', cfg, '-db', ...sf], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    if (takeOverFrom !== undefined) {
      children.push(child);
      return { child, socket };
    }
    children.push(child);
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
    });
    await waitFor(() => existsSync(socket) || child.exitCode !== null, 10_000, 'the health socket');
    assert.equal(child.exitCode, null, `balancer exited: ${err}`);
    return { child, socket };
  }

  it('goes up on the real snapshot and heartbeats; SIGKILL → down long before heartbeat_timeout', async () => {
    const { child, socket } = await startBalancer('kill');
    const t = new BalancerTracker({ name: 'lb', socket, rise: 2, heartbeatTimeout: 1 });
    trackers.push(t);
    t.start();
    await waitFor(() => t.state.up, 5000, 'up (snapshot + one heartbeat)');
    let downAt = 0;
    t.on('change', (s) => {
      if (!s.up && !downAt) downAt = performance.now();
    });
    const killedAt = performance.now();
    child.kill('SIGKILL');
    await waitFor(() => downAt > 0, 1000, 'down before the 1 s heartbeat timeout');
    const ms = downAt - killedAt;
    console.log(`# real balancer SIGKILL → tracker down in ${ms.toFixed(1)} ms`);
    assert.ok(ms < 1000, `${ms} ms`);
    assert.match(t.state.reason, /closed/, 'seen as a closed stream, not as silence');
  });

  it('SIGTERM (graceful stop) → down with reason "balancer stopping"', async () => {
    const { child, socket } = await startBalancer('term');
    const t = new BalancerTracker({ name: 'lb', socket, heartbeatTimeout: 1 });
    trackers.push(t);
    t.start();
    await waitFor(() => t.state.up, 5000, 'up');
    const reasons: string[] = [];
    t.on('change', (s) => reasons.push(s.reason));
    child.kill('SIGTERM');
    await waitFor(() => !t.state.up, 2000, 'down');
    assert.equal(reasons[0], 'balancer stopping');
  });

  it('-sf hand-over: the old process says `replaced`, the tracker stays up and follows the new one', async () => {
    const { child: old, socket } = await startBalancer('sf');
    const t = new BalancerTracker({ name: 'lb', socket, heartbeatTimeout: 1 });
    trackers.push(t);
    t.start();
    await waitFor(() => t.state.up, 5000, 'up');
    // 'change' is emitted when up flips: any one here is the failure this hand-over must not cause
    const changes: { up: boolean; reason: string }[] = [];
    t.on('change', (s) => changes.push({ up: s.up, reason: s.reason }));
    const reasons = new Set<string>();
    const oldExited = new Promise<number | null>((r) => old.once('exit', (code) => r(code)));
    const { child: next } = await startBalancer('sf', old);
    await waitFor(
      () => {
        reasons.add(t.state.reason);
        return t.state.reason.includes(`(pid ${next.pid})`);
      },
      5000,
      `the new process's ready snapshot; saw ${JSON.stringify([...reasons])}`,
    );
    assert.equal(await oldExited, 0, 'the old process finished (soft stop)');
    assert.deepEqual(changes, [], 'never down during the hand-over');
    assert.ok(
      [...reasons].some((r) => r.includes(`replaced by pid ${next.pid}`)),
      `held for the successor: ${JSON.stringify([...reasons])}`,
    );
    // without an announced successor, a soft stop is still a failure at once
    const downs: string[] = [];
    t.on('change', (s) => downs.push(s.reason));
    next.kill('SIGUSR1');
    await waitFor(() => !t.state.up, 3000, 'down');
    assert.equal(downs[0], 'balancer stopping');
  });
});

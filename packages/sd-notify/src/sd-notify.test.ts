import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { systemdNotifier } from './sd-notify.ts';

const hasSocat = spawnSync('socat', ['-V']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'sd-notify-'));
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** A receiver like systemd's: socat prints each datagram it gets on the socket. */
async function receiver(address: string): Promise<{ text: () => string }> {
  const child = spawn('socat', ['-u', address, 'STDOUT'], { stdio: ['ignore', 'pipe', 'ignore'] });
  children.push(child);
  let text = '';
  child.stdout.on('data', (d) => {
    text += d;
  });
  // the socket exists once socat is listening: probe until a datagram is accepted
  const probe = address.startsWith('ABSTRACT') ? `@${address.split(':')[1]}` : address.split(':')[1];
  const deadline = Date.now() + 5000;
  for (;;) {
    let failed = false;
    systemdNotifier({ env: { NOTIFY_SOCKET: probe }, onError: () => (failed = true) }).send({ PROBE: 1 });
    if (!failed) break;
    if (Date.now() > deadline) throw new Error(`socat did not listen on ${address}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return { text: () => text.replaceAll('PROBE=1\n', '') };
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('without NOTIFY_SOCKET every call is a no-op', () => {
  const n = systemdNotifier({ env: {}, onError: () => assert.fail('nothing to send') });
  assert.equal(n.enabled, false);
  n.ready('x');
  n.stopping();
});

test('READY, RELOADING with MONOTONIC_USEC, STOPPING and STATUS reach a path socket', {
  skip: !hasSocat && 'socat is not installed',
}, async () => {
  const path = join(dir, 'notify.sock');
  const r = await receiver(`UNIX-RECV:${path}`);
  const env: NodeJS.ProcessEnv = { NOTIFY_SOCKET: path };
  const n = systemdNotifier({ env, onError: (e) => assert.fail(e) });
  assert.equal(env.NOTIFY_SOCKET, undefined, 'children must not inherit the socket');
  n.ready('serving');
  n.reloading();
  n.stopping('bye');
  await until(() => r.text().includes('STATUS=bye'));
  const lines = r.text().trim().split('\n');
  assert.deepEqual(lines.slice(0, 3), ['READY=1', 'STATUS=serving', 'RELOADING=1']);
  assert.match(lines[3], /^MONOTONIC_USEC=\d+$/);
  assert.deepEqual(lines.slice(4), ['STOPPING=1', 'STATUS=bye']);
  // CLOCK_MONOTONIC: close to the system's own reading (in µs)
  const now = Number(process.hrtime.bigint() / 1000n);
  assert.ok(Math.abs(now - Number(lines[3].split('=')[1])) < 60_000_000);
});

test('an abstract socket (@name) works too', { skip: !hasSocat && 'socat is not installed' }, async () => {
  const name = `ha-lb-test-${process.pid}`;
  const r = await receiver(`ABSTRACT-RECV:${name}`);
  systemdNotifier({ env: { NOTIFY_SOCKET: `@${name}` } }).ready();
  await until(() => r.text().includes('READY=1'));
});

test('WATCHDOG_USEC: pings at half the interval', {
  skip: !hasSocat && 'socat is not installed',
}, async () => {
  const path = join(dir, 'watchdog.sock');
  const r = await receiver(`UNIX-RECV:${path}`);
  const n = systemdNotifier({ env: { NOTIFY_SOCKET: path, WATCHDOG_USEC: '100000' } });
  await until(() => r.text().split('WATCHDOG=1').length > 3);
  n.close();
});

test('a socket nobody listens on is reported once, never thrown', () => {
  const errors: Error[] = [];
  const n = systemdNotifier({
    env: { NOTIFY_SOCKET: join(dir, 'absent.sock') },
    onError: (e) => errors.push(e),
  });
  n.ready();
  n.status('x');
  assert.equal(errors.length, 1);
  assert.match(errors[0].message, /sendto/);
});

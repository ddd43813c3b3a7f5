import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { stampIsFresh, stampOf } from '../src/boot/bundle-stamp.ts';
import { BALANCER_BIN, makeTempDir, REPO_ROOT } from './support/env.ts';
import { startUpstream } from './support/harness.ts';
import { hasSocat, notifySocket } from './support/notify-socket.ts';
import { freePortSync } from './support/ports.ts';
import { startBalancer } from './support/proc.ts';
import { exchange } from './support/raw-client.ts';
import { waitFor } from './support/wait-for.ts';

/**
 * bin/balancer runs dist/balancer.mjs (scripts/bundle.ts) while the files it was made from are
 * unchanged: the bundle must behave as the sources do, and a changed source must take it out of use.
 */

const PKG = join(REPO_ROOT, 'packages/balancer');
const SEED = join(REPO_ROOT, 'packages/shared-config/test/fixtures/seed/haproxy.cfg');

describe('the bundle', () => {
  test('a stamp is fresh until a file it names changes, disappears, or the stamp is unreadable', () => {
    const tmp = makeTempDir('stamp');
    try {
      const f = join(tmp.dir, 'a.ts');
      writeFileSync(f, 'export const a = 1;\n');
      const stamp = join(tmp.dir, 'inputs.json');
      writeFileSync(stamp, JSON.stringify(stampOf([f])));
      assert.equal(stampIsFresh(stamp), true);
      appendFileSync(f, '// edited\n');
      assert.equal(stampIsFresh(stamp), false, 'an edited source');
      writeFileSync(stamp, JSON.stringify(stampOf([f])));
      rmSync(f);
      assert.equal(stampIsFresh(stamp), false, 'a removed source');
      writeFileSync(stamp, '[]');
      assert.equal(stampIsFresh(stamp), false, 'an empty stamp');
      writeFileSync(stamp, '{not json');
      assert.equal(stampIsFresh(stamp), false, 'a broken stamp');
      assert.equal(stampIsFresh(join(tmp.dir, 'missing.json')), false, 'no stamp');
    } finally {
      tmp.remove();
    }
  });

  // inside the package, so that the bundle resolves @ha-lb/sd-notify (kept outside it) as dist/ does
  mkdirSync(join(PKG, '.tmp'), { recursive: true });
  const out = mkdtempSync(join(PKG, '.tmp', 'bundle-'));
  after(() => rmSync(out, { recursive: true, force: true }));
  const bundle = join(out, 'balancer.mjs');

  test('the bundled command says about the seed what the sources say', () => {
    execFileSync(process.execPath, [join(PKG, 'scripts/bundle.ts'), '--outdir', out], { stdio: 'pipe' });
    const check = (cli: string) => {
      const r = spawnSync(process.execPath, [cli, '-c', '-f', SEED], {
        encoding: 'utf8',
        env: { ...process.env, BALANCER_EXECUTABLE: 'balancer' },
      });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr.replace(/\(\d+\)/g, '(PID)') };
    };
    const ours = check(bundle);
    assert.deepEqual(ours, check(BALANCER_BIN));
    assert.match(ours.stdout, /Configuration file is valid/);
  });

  test('the bundled command serves, with two worker processes, and tells systemd it is ready', {
    skip: !hasSocat && 'socat is not installed',
  }, async () => {
    const up = await startUpstream();
    const port = freePortSync();
    // sd_notify goes through the native addon, the one package the bundle leaves outside
    const notify = await notifySocket(join(out, 'notify.sock'));
    const cfg = `global\n    nbthread 2\ndefaults\n    mode http\n    timeout client 5s\n    timeout server 5s\n    timeout connect 2s\nfrontend f\n    bind 127.0.0.1:${port}\n    default_backend b\nbackend b\n    server s 127.0.0.1:${up.port}\n`;
    const b = await startBalancer(cfg, [port], { cli: bundle, env: { NOTIFY_SOCKET: notify.path } });
    try {
      assert.ok(await waitFor(() => notify.text().includes('READY=1'), 10_000), 'READY=1 sent');
      for (let i = 0; i < 4; i++) {
        const r = await exchange(port, `GET /n${i} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, {
          ms: 4000,
        });
        assert.match(r.text, new RegExp(`^HTTP/1\\.1 200 OK[\\s\\S]*ok /n${i}$`));
      }
      assert.equal(up.requests.length, 4);
    } finally {
      await b.stop(5000);
      await up.close();
      notify.child.kill();
    }
  });
});

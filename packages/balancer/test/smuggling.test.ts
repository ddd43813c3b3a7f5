/**
 * The request-smuggling / desync table (smuggling-cases.ts) run on real sockets:
 * - against HAProxy 2.6, to keep the recorded expectations (smuggling-expected.json) honest;
 * - against the balancer with the same config, which must give HAProxy's outcome, or the row's
 *   `stricter` outcome where we deliberately differ.
 * Re-record with `node packages/balancer/test/smuggling-record.ts` (see its header).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { CASES } from './smuggling-cases.ts';
import type { ExpectedFile } from './smuggling-record.ts';
import { EXPECTED_FILE } from './smuggling-record.ts';
import { expectedForBalancer, runCase, smugglingConfig } from './smuggling-run.ts';
import { isRoot } from './support/env.ts';
import { freePort } from './support/ports.ts';
import { haproxyPath, type Managed, startBalancer, startHaproxy } from './support/proc.ts';
import { type Recorder, startRecorder } from './support/recorder.ts';

const expected = JSON.parse(readFileSync(EXPECTED_FILE, 'utf8')) as ExpectedFile;

/**
 * Rows the engine does not pass yet, with the reason. '*' marks every row (engine not runnable).
 * Remove entries as the engine catches up; never mark a row that passes (`smuggling-record.ts
 * --balancer` lists the rows that differ).
 */
const BALANCER_TODO: Record<string, string> = {};

const todoFor = (id: string): string | undefined => BALANCER_TODO[id] ?? BALANCER_TODO['*'];

describe('smuggling table: shape', () => {
  it('has at least 40 request rows and 10 response rows, each recorded from HAProxy', () => {
    assert.ok(CASES.filter((c) => !c.id.startsWith('resp-')).length >= 40);
    assert.ok(CASES.filter((c) => c.id.startsWith('resp-')).length >= 10);
    assert.equal(new Set(CASES.map((c) => c.id)).size, CASES.length, 'row ids are unique');
    const missing = CASES.filter((c) => !expected.cases[c.id]).map((c) => c.id);
    assert.deepEqual(missing, [], 'rows without a recorded HAProxy outcome: run smuggling-record.ts');
    for (const c of CASES) {
      if (c.stricter) assert.ok(c.stricter.why.length > 20, `${c.id}: a stricter row says why`);
    }
    assert.match(expected.recordedWith, /HAProxy version 2\.6\./);
  });
});

describe('smuggling table: run', { concurrency: true }, () => {
  describe('HAProxy 2.6 gives the recorded outcome', { concurrency: 1 }, () => {
    const haveHaproxy = haproxyPath() !== null;
    // CI runs as root after scripts/bootstrap.sh installed haproxy: missing there is a failure.
    const skip = !haveHaproxy && !isRoot ? 'haproxy not installed (not root, so not CI)' : false;
    let rec: Recorder | undefined;
    let proxy: Managed | undefined;
    let port = 0;
    before(async () => {
      if (skip) return;
      rec = await startRecorder();
      port = await freePort();
      proxy = await startHaproxy(smugglingConfig(port, rec.port), [port]);
    });
    after(async () => {
      await proxy?.stop();
      await rec?.close();
    });
    for (const c of CASES) {
      it(c.id, { skip }, async () => {
        assert.ok(rec && proxy, 'haproxy is running');
        const got = await runCase(c, port, rec);
        assert.deepEqual(
          got.outcome,
          expected.cases[c.id].outcome,
          `${c.what}\nclient got: ${JSON.stringify(got.clientRaw)}`,
        );
      });
    }
  });

  describe('the balancer gives HAProxy’s outcome (or the stricter one)', { concurrency: 1 }, () => {
    let rec: Recorder | undefined;
    let proxy: Managed | undefined;
    let port = 0;
    let startError: Error | undefined;
    before(async () => {
      rec = await startRecorder();
      port = await freePort();
      try {
        proxy = await startBalancer(smugglingConfig(port, rec.port), [port]);
      } catch (e) {
        startError = e as Error;
      }
    });
    after(async () => {
      await proxy?.stop();
      await rec?.close();
    });
    for (const c of CASES) {
      it(c.id, { todo: todoFor(c.id) }, async () => {
        if (startError) throw startError;
        assert.ok(rec && proxy);
        const got = await runCase(c, port, rec);
        const want = expectedForBalancer(c, expected.cases[c.id].outcome);
        const ctx = `${c.what}${c.stricter ? ` (stricter: ${c.stricter.why})` : ''}\nclient got: ${JSON.stringify(got.clientRaw)}\nbackend got: ${JSON.stringify(got.backendRaw)}`;
        assert.deepEqual(got.outcome, want, ctx);
        // Errors the proxy generates carry HAProxy's default bodies.
        for (const [status, body] of Object.entries(got.errorBodies)) {
          if (expected.errorBodies[status] !== undefined)
            assert.equal(body, expected.errorBodies[status], `${status} body`);
        }
        assert.ok(proxy.alive(), 'the balancer survived the row');
      });
    }
  });
});

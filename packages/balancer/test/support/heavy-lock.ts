/**
 * A cross-process lock so this package's CPU-heavy end-to-end tests (100 MB transfers, 1000-connection
 * slowloris) never run at the same time under `node --test --test-concurrency=N`: on a 2-core machine
 * one would starve the other and turn its timing assertions into noise. mkdir is atomic; a lock
 * whose owner died is taken over.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const LOCK = join(tmpdir(), 'lb-balancer-heavy-tests.lock');

function ownerAlive(): boolean {
  try {
    const pid = Number(readFileSync(join(LOCK, 'pid'), 'utf8'));
    if (!pid) return true; // being created right now
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Waits (bounded) for the lock; returns its release function. */
export async function acquireHeavyLock(timeoutMs = 180_000): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(join(LOCK, 'pid'), String(process.pid));
      let released = false;
      return () => {
        if (released) return;
        released = true;
        rmSync(LOCK, { recursive: true, force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    if (!ownerAlive()) rmSync(LOCK, { recursive: true, force: true });
    if (Date.now() > deadline) throw new Error(`heavy-test lock ${LOCK} still held after ${timeoutMs} ms`);
    await sleep(100);
  }
}

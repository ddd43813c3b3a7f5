import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { waitFor } from './wait-for.ts';

export const hasSocat = spawnSync('socat', ['-V']).status === 0;

/**
 * A notify socket at `path` read like systemd reads it (socat): every datagram received, in order.
 * The caller kills `child` when done.
 */
export async function notifySocket(
  path: string,
): Promise<{ path: string; text: () => string; child: ChildProcess }> {
  const child = spawn('socat', ['-u', `UNIX-RECV:${path}`, 'STDOUT'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let text = '';
  child.stdout.on('data', (d) => {
    text += d;
  });
  assert.ok(await waitFor(() => existsSync(path), 5000), 'socat listens');
  return { path, text: () => text, child };
}

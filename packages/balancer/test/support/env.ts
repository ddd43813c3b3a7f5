import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';

/** The repository root (this file lives in packages/balancer/test/support/). */
export const REPO_ROOT = resolve(import.meta.dirname, '../../../..');
export const BALANCER_BIN = join(REPO_ROOT, 'packages/balancer/src/cli.ts');

/** PATH for spawned tools: haproxy and nginx live in /usr/sbin, which a non-login PATH may lack. */
export const TOOL_PATH = [process.env.PATH ?? '', '/usr/local/sbin', '/usr/sbin', '/sbin']
  .filter(Boolean)
  .join(delimiter);

export const isRoot = process.getuid?.() === 0;

/** Absolute path of an executable on TOOL_PATH, or null. */
export function which(name: string): string | null {
  for (const dir of TOOL_PATH.split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {}
  }
  return null;
}

/** A private temporary directory removed by the returned disposer. */
export function makeTempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `lb-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

// What dist/balancer.inputs.json holds (scripts/bundle.ts writes it, start.ts reads it): every file
// the bundle was made from, with its size and modification time. The bundle stands for the sources
// only while all of them are as they were.
import { readFileSync, statSync } from 'node:fs';

export type Stamp = [path: string, size: number, mtimeMs: number];

export function stampOf(paths: readonly string[]): Stamp[] {
  return paths.map((p) => {
    const s = statSync(p);
    return [p, s.size, s.mtimeMs];
  });
}

/** True when the stamp file exists, names at least one file, and every file is unchanged. */
export function stampIsFresh(stampFile: string): boolean {
  let stamps: Stamp[];
  try {
    stamps = JSON.parse(readFileSync(stampFile, 'utf8')) as Stamp[];
  } catch {
    return false;
  }
  if (!Array.isArray(stamps) || stamps.length === 0) return false;
  for (const [path, size, mtimeMs] of stamps) {
    const s = statSync(path, { throwIfNoEntry: false });
    if (s === undefined || s.size !== size || s.mtimeMs !== mtimeMs) return false;
  }
  return true;
}

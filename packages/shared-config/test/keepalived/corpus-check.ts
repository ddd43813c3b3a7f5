import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { formatKeepalivedDiagnostic, loadKeepalivedConfig } from '../../src/keepalived/index.ts';

/** The corpus: fixtures/keepalived/NAME.conf with NAME.expected.txt. */
export const CORPUS_DIR = join(import.meta.dirname, '../fixtures/keepalived');
/** Interfaces the corpus is checked against, so results do not depend on the host. */
export const CORPUS_INTERFACES = new Set(['lo', 'eth0', 'eth1', 'eth2', 'eth3', 'eth0.1']);

/** A first line `! config-id: ID` selects `-i ID`; default `corpus`. */
export function corpusConfigId(name: string): string | null {
  const first = readFileSync(join(CORPUS_DIR, name), 'utf8').split('\n', 1)[0];
  return /^! config-id: (\S+)/.exec(first)?.[1] ?? null;
}

/** Diagnostics of one corpus file as printed (paths relative to the corpus folder), and the verdict. */
export function checkCorpusFile(name: string): { text: string; valid: boolean } {
  const path = join(CORPUS_DIR, name);
  const result = loadKeepalivedConfig(path, {
    configId: corpusConfigId(name) ?? 'corpus',
    interfaceExists: (n) => CORPUS_INTERFACES.has(n),
  });
  const lines = result.diagnostics.map((d) =>
    formatKeepalivedDiagnostic({ ...d, file: relative(CORPUS_DIR, d.file) }),
  );
  return { text: lines.map((l) => `${l}\n`).join(''), valid: result.config !== null };
}

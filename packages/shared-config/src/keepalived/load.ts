import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { deepFreeze } from '../common/deep-freeze.ts';
import { alert, type Diagnostic, hasAlert } from '../common/diagnostic.ts';
import { buildTree } from './block-tree.ts';
import { KA } from './codes.ts';
import { unreadableFileSentence } from './file-error.ts';
import { interpret } from './interpret.ts';
import type { KeepalivedConfig } from './model.ts';
import { resolveConfig } from './resolve.ts';
import { fsSourceHost, preprocess, type SourceHost } from './source-reader.ts';
import { Reporter } from './values.ts';

export interface KeepalivedLoadOptions {
  /** keepalived's `-i`/`--config-id`; default: the host name up to the first dot, as keepalived */
  readonly configId?: string;
  /** accepted for symmetry with the haproxy loader; keepalived.conf has no environment expansion */
  readonly env?: NodeJS.ProcessEnv;
  /** file access for `include` (default: the real file system) */
  readonly host?: SourceHost;
  /** interface lookup (default: /sys/class/net/NAME exists); a missing interface is only a warning */
  readonly interfaceExists?: (name: string) => boolean;
  /** for `${_RANDOM}` */
  readonly randomInt?: (min: number, max: number) => number;
}

export interface KeepalivedLoadResult {
  /** frozen; null iff a diagnostic is an alert */
  readonly config: KeepalivedConfig | null;
  readonly diagnostics: readonly Diagnostic[];
}

export function defaultConfigId(): string {
  return hostname().split('.')[0];
}

export function interfaceExistsOnHost(name: string): boolean {
  return name !== '' && !name.includes('/') && existsSync(`/sys/class/net/${name}`);
}

/** Parses keepalived.conf text (includes are still read through `opts.host`). */
export function parseKeepalivedConfig(
  source: { readonly path: string; readonly text: string },
  opts: KeepalivedLoadOptions = {},
): KeepalivedLoadResult {
  const diagnostics: Diagnostic[] = [];
  const lines = preprocess(
    source,
    { configId: opts.configId ?? defaultConfigId(), host: opts.host, randomInt: opts.randomInt },
    diagnostics,
  );
  const tree = buildTree(lines, diagnostics);
  const r = new Reporter(diagnostics);
  const draft = interpret(r, tree);
  const config = resolveConfig(r, draft, {
    interfaceExists: opts.interfaceExists ?? interfaceExistsOnHost,
    file: source.path,
  });
  const ordered = sortDiagnostics(diagnostics);
  if (hasAlert(ordered) || config === null) return { config: null, diagnostics: deepFreeze(ordered) };
  return { config: deepFreeze(config), diagnostics: deepFreeze(ordered) };
}

/** Reads and parses the keepalived.conf at `path` (keepalived's `-f`). */
export function loadKeepalivedConfig(path: string, opts: KeepalivedLoadOptions = {}): KeepalivedLoadResult {
  const host = opts.host ?? fsSourceHost;
  let text: string;
  try {
    text = host.readFile(path);
  } catch (err) {
    const d = alert(path, 0, KA.fileUnreadable, unreadableFileSentence('configuration file', path, err));
    return { config: null, diagnostics: deepFreeze([d]) };
  }
  return parseKeepalivedConfig({ path, text }, opts);
}

/** Stable order for reading and for tests: by file as first seen, then line; ties keep report order. */
function sortDiagnostics(ds: Diagnostic[]): Diagnostic[] {
  const fileOrder = new Map<string, number>();
  for (const d of ds) if (!fileOrder.has(d.file)) fileOrder.set(d.file, fileOrder.size);
  return ds
    .map((d, i) => ({ d, i }))
    .sort((a, b) => {
      const za = a.d.line === 0 ? 1 : 0;
      const zb = b.d.line === 0 ? 1 : 0;
      return (
        za - zb || fileOrder.get(a.d.file)! - fileOrder.get(b.d.file)! || a.d.line - b.d.line || a.i - b.i
      );
    })
    .map((x) => x.d);
}

import {
  type Diagnostic,
  formatHaproxyDiagnostic,
  type HaproxyLoadResult,
  type ParseOptions,
  parseHaproxyConfig,
} from '../../src/haproxy/index.ts';

/** Parses one in-memory file named `t.cfg` with an empty environment unless given; the model is checked
 * against its zod schema (build-model.ts). */
export function parse(text: string, opts: ParseOptions = {}): HaproxyLoadResult {
  return parseHaproxyConfig([{ path: 't.cfg', text }], {
    env: {},
    readable: () => true,
    checkModel: true,
    ...opts,
  });
}

/** Diagnostics as `severity file:line message` strings, compact enough for tables. */
export function brief(ds: readonly Diagnostic[]): string[] {
  return ds.map((d) => `${d.severity} ${d.file}:${d.line} ${d.message}`);
}

export function lines(ds: readonly Diagnostic[]): string[] {
  return ds.map((d) => formatHaproxyDiagnostic(d, 'PID'));
}

/** Only alerts, as `file:line message`. */
export function alerts(ds: readonly Diagnostic[]): string[] {
  return ds.filter((d) => d.severity === 'alert').map((d) => `${d.file}:${d.line} ${d.message}`);
}

/** A defaults section that silences the missing-timeouts warning. */
export const BASE = `defaults
    mode http
    timeout client 5s
    timeout server 5s
    timeout connect 1s
`;

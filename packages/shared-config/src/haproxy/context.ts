/**
 * What a keyword handler sees: the line being parsed, ways to report, and the draft it fills in.
 * Drafts are the schema's *input* types (defaults not applied yet), so inheritance from `defaults`
 * sections is a plain deep copy and zod applies the defaults at the end.
 */
import type { z } from 'zod';
import type {
  GlobalSectionSchema,
  OptionsSchema,
  ProxySchema,
  ServerSchema,
  StatsSchema,
  TimeoutsSchema,
} from './model.ts';

export type ProxyInput = z.input<typeof ProxySchema>;
export type ServerInput = z.input<typeof ServerSchema>;
export type GlobalInput = z.input<typeof GlobalSectionSchema>;
export type StatsInput = z.input<typeof StatsSchema>;

/** Server options set by `default-server` (everything but the identity of a server). */
export type ServerDefaults = Partial<Omit<ServerInput, 'name' | 'address' | 'file' | 'line'>>;

export type ProxyDraft = Omit<ProxyInput, 'timeouts' | 'options' | 'stats'> & {
  timeouts: z.input<typeof TimeoutsSchema>;
  options: z.input<typeof OptionsSchema>;
  stats?: StatsInput | null;
  /** `default-server` settings, applied to each following `server` line. Not part of the model. */
  defaultServer: ServerDefaults;
  /** Where `default_backend` was written (maybe in a defaults section), for diagnostics. Not part of the model. */
  defaultBackendAt?: { file: string; line: number };
};

export interface LineContext {
  readonly file: string;
  readonly line: number;
  /** The keyword (first word, after a `no` prefix). */
  readonly keyword: string;
  /** The words after the keyword. */
  readonly args: readonly string[];
  /** True when the line started with `no`. */
  readonly no: boolean;
  readonly env: NodeJS.ProcessEnv;
  alert(message: string, code?: string): void;
  warn(message: string, code?: string): void;
  /**
   * Records that this line uses a runtime feature (see keyword-use.ts): `key` names it (`timeout queue`,
   * `server check`), `label` is what a message about it names (default: the key), `subject` groups a
   * line's options (`'server web1'`). Whether it is in effect is the engine's knowledge, not ours.
   */
  uses(key: string, label?: string, subject?: string): void;
  /** Resolves a file argument (errorfile, …) the way HAProxy does (`default-path`). */
  resolvePath(path: string): string;
  /** Resolves a certificate argument: `crt-base` first, then like resolvePath. */
  resolveCert(path: string): string;
  /** True when the file exists and is readable. */
  readable(path: string): boolean;
  /** The same line read as `keyword args` (`stats timeout 5s` → 'stats timeout', ['5s']); uses still record the line's words. */
  as(keyword: string, args: readonly string[]): LineContext;
  /** The same line, recording no keyword uses. */
  withoutUses(): LineContext;
}

export { CODES } from './codes.ts';

export function ensure<T extends object, K extends keyof T>(
  obj: T,
  key: K,
  make: () => NonNullable<T[K]>,
): NonNullable<T[K]> {
  if (obj[key] === undefined || obj[key] === null) obj[key] = make() as T[K];
  return obj[key] as NonNullable<T[K]>;
}

/**
 * What a configuration check sees: the parsed model, the parser's keyword uses (for lines the model
 * keeps no position of), and how files named in the configuration are found — as HAProxy opens them
 * while it reads the configuration (relative to the directory it runs in, or to what `default-path`
 * says).
 */
import { accessSync, constants } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Diagnostic, HaproxyConfig, KeywordUse } from '@ha-lb/shared-config/haproxy';

export interface CheckContext {
  readonly model: HaproxyConfig;
  readonly uses: readonly KeywordUse[];
  /** The absolute path of `path`, written in configuration file `file`. */
  resolve(path: string, file: string): string;
  /** True when the file can be opened for reading. */
  readable(path: string): boolean;
}

export type Check = (ctx: CheckContext) => Diagnostic[];

export function checkContext(model: HaproxyConfig, uses: readonly KeywordUse[], cwd: string): CheckContext {
  const [mode, origin] = model.global.settings['default-path'] ?? ['current'];
  return {
    model,
    uses,
    resolve(path, file) {
      if (isAbsolute(path)) return path;
      switch (mode) {
        case 'config':
          return resolve(cwd, dirname(file), path);
        case 'parent':
          return resolve(cwd, dirname(file), '..', path);
        case 'origin':
          return resolve(cwd, origin ?? '.', path);
        default:
          return resolve(cwd, path);
      }
    },
    readable(path) {
      try {
        accessSync(path, constants.R_OK);
        return true;
      } catch {
        return false;
      }
    },
  };
}

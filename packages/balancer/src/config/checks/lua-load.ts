/**
 * `lua-load FILE` (and `lua-load-per-thread`): HAProxy loads the script while it reads the line
 * (hlua.c, hlua_load_state): "error in Lua file '/x.lua': cannot open /x.lua: No such file or
 * directory". The balancer never runs Lua — in-effect.ts refuses these lines whatever the file — but a
 * missing file is said first, in HAProxy's words, so the two reasons are both on the line.
 */
import { accessSync, constants } from 'node:fs';
import type { Diagnostic } from '@ha-lb/shared-config/haproxy';
import type { CheckContext } from './context.ts';

export const LUA_FILE_CODE = 'CFG_ERR_FILE';

function openError(path: string): string | null {
  try {
    accessSync(path, constants.R_OK);
    return null;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'No such file or directory';
    if (code === 'EACCES') return 'Permission denied';
    if (code === 'ENOTDIR') return 'Not a directory';
    return (e as Error).message;
  }
}

export function luaLoadChecks(ctx: CheckContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const u of ctx.uses) {
    if (u.key !== 'lua-load' && u.key !== 'lua-load-per-thread') continue;
    const file = u.args[0];
    if (file === undefined) continue;
    const why = openError(ctx.resolve(file, u.file));
    if (why !== null)
      out.push({
        severity: 'alert',
        file: u.file,
        line: u.line,
        code: LUA_FILE_CODE,
        message: `error in Lua file '${file}': cannot open ${file}: ${why}`,
      });
  }
  return out;
}

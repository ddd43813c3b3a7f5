import { statSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';

/**
 * keepalived's `enable_script_security` check, for scripts that would run as root: the program and every
 * directory above it must be owned by root and writable by nobody else — otherwise any local user who
 * can edit the file (or swap a directory) gets root the next time the VRRP state changes. Returns null
 * when the script is safe to run, else the reason. Scripts run as another user are not checked (they
 * cannot gain more than that user has). Relative programs are looked up in PATH, as execve would.
 */
export function checkScriptSecurity(
  program: string,
  runAsUid: number,
  env: NodeJS.ProcessEnv = process.env,
): string | null {
  if (runAsUid !== 0) return null;
  const path = locate(program, env);
  if (!path) return `${program} not found in PATH`;
  for (let p = path; ; p = dirname(p)) {
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(p);
    } catch (err) {
      return `${p}: ${(err as NodeJS.ErrnoException).code}`;
    }
    if (st.uid !== 0) return `${p} is owned by uid ${st.uid}, not root`;
    // A sticky directory (like /tmp) still lets other users create entries, so it is not safe either.
    if (st.mode & 0o022) return `${p} is writable by ${st.mode & 0o002 ? 'everyone' : 'its group'}`;
    if (p === dirname(p)) return null;
  }
}

function locate(program: string, env: NodeJS.ProcessEnv): string | null {
  if (isAbsolute(program)) return program;
  if (program.includes('/')) return resolve(program);
  for (const dir of (env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(delimiter)) {
    const p = join(dir, program);
    try {
      if (statSync(p).isFile()) return p;
    } catch {}
  }
  return null;
}

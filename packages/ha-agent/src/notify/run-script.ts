import { execa } from 'execa';
import type { ScriptIdentity } from './script-user.ts';

export interface RunScriptOptions {
  /** kill the whole process group after this many ms (SIGKILL) */
  timeoutMs?: number | null;
  identity?: ScriptIdentity | null;
  env?: NodeJS.ProcessEnv;
  /** aborting kills the process group */
  signal?: AbortSignal;
}

export interface ScriptResult {
  /** exit status 0 */
  readonly ok: boolean;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly durationMs: number;
  /** first 4 KiB of stderr, for the log */
  readonly stderr: string;
  /** spawn failure (ENOENT, EACCES…) */
  readonly error: string | null;
}

const STDERR_LIMIT = 4096;

/**
 * Runs one script without a shell and never rejects. The child gets its own process group (detached) so
 * that a timeout kills everything it started, like keepalived's kill(-pgid) — a hung `curl` in a check
 * script must not outlive it. stdin/stdout go to /dev/null: nothing reads them, and a grandchild holding a
 * pipe open must not keep us waiting.
 */
export async function runScript(argv: readonly string[], opts: RunScriptOptions = {}): Promise<ScriptResult> {
  const started = performance.now();
  let timedOut = false;
  const sub = execa(argv[0], argv.slice(1), {
    reject: false,
    detached: true,
    stdin: 'ignore',
    stdout: 'ignore',
    stderr: 'pipe',
    // Not buffered by execa (its maxBuffer would kill a chatty script): we keep the first 4 KiB ourselves.
    buffer: false,
    env: opts.env,
    extendEnv: opts.env === undefined,
    ...(opts.identity ? { uid: opts.identity.uid, gid: opts.identity.gid } : {}),
  });
  let stderr = '';
  sub.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < STDERR_LIMIT) stderr += chunk.toString('utf8').slice(0, STDERR_LIMIT - stderr.length);
  });
  const killGroup = () => {
    if (sub.pid === undefined) return;
    try {
      process.kill(-sub.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  const timer =
    opts.timeoutMs != null && opts.timeoutMs > 0
      ? setTimeout(() => {
          timedOut = true;
          killGroup();
        }, opts.timeoutMs)
      : null;
  const onAbort = () => killGroup();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const r = await sub;
    const spawnFailed = r.failed && r.exitCode === undefined && r.signal === undefined;
    return {
      ok: !r.failed && r.exitCode === 0 && !timedOut,
      exitCode: r.exitCode ?? null,
      signal: r.signal ?? null,
      timedOut,
      durationMs: performance.now() - started,
      stderr,
      error: spawnFailed ? (r.shortMessage ?? 'spawn failed') : null,
    };
  } finally {
    if (timer) clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

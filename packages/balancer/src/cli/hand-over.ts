/**
 * `-sf PID…` / `-st PID…`: a new process takes over from old ones, as HAProxy does. The new process
 * binds its listeners next to the old ones' (SO_REUSEPORT, engine.ts), so the kernel keeps accepting
 * throughout; once it serves it tells the old ones to finish (SIGUSR1: soft stop, -sf) or to go
 * (SIGTERM, -st). When a port cannot be shared (an old process bound without SO_REUSEPORT, or -dR), it
 * does what HAProxy does: SIGTTOU asks the old processes to release their ports (pause), the bind is
 * retried, and on failure SIGTTIN gives them back before the new process exits.
 */
import type { MessageSink } from '../log/messages.ts';

export interface HandOver {
  readonly finish: readonly number[];
  readonly terminate: readonly number[];
}

/** Sends `signal` to each pid; a pid that is gone already is skipped with a notice. */
export function tellOldPids(pids: readonly number[], signal: NodeJS.Signals, messages: MessageSink): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      messages.notice(
        `-sf/-st: cannot send ${signal} to old process ${pid} (${code ?? (err as Error).message}).`,
      );
    }
  }
}

const isAddrInUse = (err: unknown): boolean =>
  ((err as { cause?: NodeJS.ErrnoException }).cause?.code ?? (err as NodeJS.ErrnoException).code) ===
  'EADDRINUSE';

/** Bind retries after SIGTTOU, 50 ms apart (HAProxy retries its binds a few times as well). */
const PAUSED_RETRIES = 20;

/** Starts the new engine, pausing the old processes first only if a port is not shareable. */
export async function startTakingOver<T>(
  start: () => Promise<T>,
  h: HandOver,
  messages: MessageSink,
): Promise<T> {
  const all = [...h.finish, ...h.terminate];
  try {
    return await start();
  } catch (err) {
    if (all.length === 0 || !isAddrInUse(err)) throw err;
    tellOldPids(all, 'SIGTTOU', messages);
    let last = err;
    for (let i = 0; i < PAUSED_RETRIES; i++) {
      await new Promise((r) => setTimeout(r, 50));
      try {
        return await start();
      } catch (e) {
        last = e;
        if (!isAddrInUse(e)) break;
      }
    }
    tellOldPids(all, 'SIGTTIN', messages);
    throw last;
  }
}

/** The new process serves: the old ones finish (-sf) or stop (-st). */
export function releaseOldPids(h: HandOver, messages: MessageSink): void {
  tellOldPids(h.finish, 'SIGUSR1', messages);
  tellOldPids(h.terminate, 'SIGTERM', messages);
}

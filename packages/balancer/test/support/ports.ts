import { connect, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A loopback TCP port that was free a moment ago (the kernel picks it). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((ok, ko) => {
    srv.once('error', ko);
    srv.listen(0, '127.0.0.1', ok);
  });
  const addr = srv.address();
  await new Promise<void>((ok) => srv.close(() => ok()));
  if (addr === null || typeof addr === 'string') throw new Error('no port');
  return addr.port;
}

/** Several distinct free ports. */
export async function freePorts(n: number): Promise<number[]> {
  const out = new Set<number>();
  for (let i = 0; out.size < n && i < n * 10; i++) out.add(await freePort());
  return [...out];
}

function tryConnect(port: number, host: string): Promise<boolean> {
  return new Promise((ok) => {
    const s = connect({ port, host });
    s.setTimeout(500);
    s.once('connect', () => {
      s.destroy();
      ok(true);
    });
    s.once('timeout', () => {
      s.destroy();
      ok(false);
    });
    s.once('error', () => ok(false));
  });
}

/**
 * Polls until something accepts on host:port, or throws after timeoutMs. `alive` lets the caller
 * stop early when the process it waits for has already died.
 */
export async function waitForPort(
  port: number,
  opts: { host?: string; timeoutMs?: number; alive?: () => boolean } = {},
): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  while (Date.now() < deadline) {
    if (opts.alive && !opts.alive()) throw new Error(`process died before listening on ${port}`);
    if (await tryConnect(port, opts.host ?? '127.0.0.1')) return;
    await sleep(25);
  }
  throw new Error(
    `nothing listens on ${opts.host ?? '127.0.0.1'}:${port} after ${opts.timeoutMs ?? 10_000} ms`,
  );
}

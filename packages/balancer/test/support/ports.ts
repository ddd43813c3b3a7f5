/** Loopback ports for the balancer's tests: free ones, and waiting until one listens. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { waitFor } from './wait-for.ts';

/** Listens on 127.0.0.1:port (0: the kernel picks), closes again, and says which port it had; null if taken. */
async function tryListen(port: number): Promise<number | null> {
  const srv = createServer();
  const ok = await new Promise<boolean>((done) => {
    srv.once('error', () => done(false));
    srv.listen(port, '127.0.0.1', () => done(true));
  });
  if (!ok) return null;
  const addr = srv.address();
  await new Promise<void>((done) => srv.close(() => done()));
  return addr !== null && typeof addr !== 'string' ? addr.port : null;
}

/** A loopback TCP port that was free a moment ago (the kernel picks it); also "a port that refuses". */
export async function freePort(): Promise<number> {
  const port = await tryListen(0);
  if (port === null) throw new Error('no free port');
  return port;
}

/** Several distinct free ports. */
export async function freePorts(n: number): Promise<number[]> {
  const out = new Set<number>();
  for (let i = 0; out.size < n && i < n * 10; i++) out.add(await freePort());
  return [...out];
}

/** The first of `n` consecutive free ports (the built-in demo uses PORT, PORT+1, PORT+2). */
export async function freePortRun(n: number): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const first = await freePort();
    if (first + n - 1 > 65535) continue;
    let all = true;
    for (let k = 1; k < n && all; k++) all = (await tryListen(first + k)) !== null;
    if (all) return first;
  }
  throw new Error(`no ${n} consecutive free ports`);
}

/** The ports the kernel hands out itself (connect()'s local ports, bind to 0): [low, high]. */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    return [Number(low), Number(high)];
  } catch {
    return [32768, 60999];
  }
}
const SYNC_LOW = 10000;
const SYNC_HIGH = Math.max(SYNC_LOW + 1000, ephemeralRange()[0]);
let nextPort = SYNC_LOW + ((process.pid * 211) % (SYNC_HIGH - SYNC_LOW));
/**
 * The same without awaiting, for code that fills ports into configuration text synchronously: asks
 * the kernel (`ss`) for a port no socket of any state uses, walking a per-process sequence below the
 * ephemeral range, so a connection's own local port can never take it in between.
 */
export function freePortSync(): number {
  for (;;) {
    const port = nextPort++;
    if (nextPort >= SYNC_HIGH) nextPort = SYNC_LOW;
    const r = spawnSync('ss', ['-Htan', `sport = :${port}`], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim() === '') return port;
  }
}

function tryConnect(port: number, host: string, path?: string): Promise<boolean> {
  return new Promise((ok) => {
    const s = path !== undefined ? connect({ path }) : connect({ port, host });
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
 * Waits until something accepts on host:port, or throws after timeoutMs. `alive` lets the caller
 * stop early when the process it waits for has already died.
 */
export async function waitForPort(
  port: number,
  opts: { host?: string; timeoutMs?: number; alive?: () => boolean } = {},
): Promise<void> {
  const host = opts.host ?? '127.0.0.1';
  const timeoutMs = opts.timeoutMs ?? 10_000;
  let died = false;
  const listening = await waitFor(
    async () => {
      died = opts.alive !== undefined && !opts.alive();
      return died || (await tryConnect(port, host));
    },
    timeoutMs,
    25,
  );
  if (died) throw new Error(`process died before listening on ${port}`);
  if (!listening) throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
}

/** Waits until a UNIX socket at `path` accepts a connection (a proxy's stats socket). */
export async function waitForUnixSocket(
  path: string,
  opts: { timeoutMs?: number; alive?: () => boolean } = {},
): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  let died = false;
  const listening = await waitFor(
    async () => {
      died = opts.alive !== undefined && !opts.alive();
      return died || (await tryConnect(0, '', path));
    },
    timeoutMs,
    25,
  );
  if (died) throw new Error(`process died before listening on ${path}`);
  if (!listening) throw new Error(`nothing listens on ${path} after ${timeoutMs} ms`);
}

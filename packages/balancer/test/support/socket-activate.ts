/**
 * Starts a program the way systemd's socket activation does: binds the listening sockets first, passes
 * them as fds 3, 4, … with LISTEN_FDS, LISTEN_FDNAMES and LISTEN_PID set to the program's own pid
 * (bash exports its $$ and execs, so the pid is the same), then closes its own copies.
 *
 *   node test/support/socket-activate.ts web=127.0.0.1:8080 stats=[::1]:8081 -- balancer -f haproxy.cfg
 */
import net from 'node:net';
import { type Managed, type SpawnOpts, spawnManaged } from './proc.ts';

export interface ActivatedSocket {
  name: string;
  host: string;
  port: number;
}

async function listenSocket(s: ActivatedSocket): Promise<net.Server> {
  const srv = net.createServer();
  await new Promise<void>((ok, fail) => {
    srv.once('error', fail);
    srv.listen({ host: s.host, port: s.port, backlog: 128 }, () => ok());
  });
  return srv;
}

/** Binds `sockets`, runs `cmd args` with them as systemd would; resolves once spawned. */
export async function socketActivate(
  sockets: readonly ActivatedSocket[],
  cmd: string,
  args: string[],
  dir: string,
  opts: SpawnOpts = {},
): Promise<Managed> {
  const servers = await Promise.all(sockets.map(listenSocket));
  const fds = servers.map((s) => (s as unknown as { _handle: { fd: number } })._handle.fd);
  const base = opts.stdio === 'inherit' ? ['inherit', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'];
  const stdio: (string | number)[] = [...base, ...fds];
  const m = spawnManaged('bash', ['-c', 'export LISTEN_PID=$$; exec "$0" "$@"', cmd, ...args], dir, {
    ...opts,
    stdio: stdio as never,
    env: {
      ...opts.env,
      LISTEN_FDS: String(sockets.length),
      LISTEN_FDNAMES: sockets.map((s) => s.name).join(':'),
    },
  });
  // the child has its own copies once spawned; ours go, so only the program accepts
  await new Promise((r) => setImmediate(r));
  for (const s of servers) s.close();
  return m;
}

if (import.meta.main) {
  const argv = process.argv.slice(2);
  const sep = argv.indexOf('--');
  if (sep < 1 || sep === argv.length - 1) {
    process.stderr.write('usage: socket-activate.ts NAME=HOST:PORT… -- COMMAND ARGS…\n');
    process.exit(2);
  }
  const sockets = argv.slice(0, sep).map((spec) => {
    const m = /^([^=]+)=\[?([^\]]*)\]?:(\d+)$/.exec(spec);
    if (!m) throw new Error(`bad socket ${spec} (want NAME=HOST:PORT)`);
    return { name: m[1]!, host: m[2]!, port: Number(m[3]) };
  });
  const m = await socketActivate(sockets, argv[sep + 1]!, argv.slice(sep + 2), process.cwd(), {
    stdio: 'inherit',
  });
  m.child.on('exit', (code) => process.exit(code ?? 1));
}

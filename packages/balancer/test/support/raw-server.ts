import net from 'node:net';

/** A TCP server owned by a test: it knows its connections, and close() ends them all. */
export interface RawServer {
  port: number;
  server: net.Server;
  /** the open connections */
  sockets: Set<net.Socket>;
  close(): Promise<void>;
}

/** Listens on host:port (default 127.0.0.1, a kernel-picked port) and hands each connection to onConn. */
export async function startRawServer(
  onConn: (socket: net.Socket) => void,
  opts: { host?: string; port?: number; allowHalfOpen?: boolean } = {},
): Promise<RawServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: opts.allowHalfOpen ?? false }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    onConn(socket);
  });
  await new Promise<void>((ok, ko) => {
    server.once('error', ko);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => ok());
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    server,
    sockets,
    close: async () => {
      for (const s of sockets) s.destroy();
      if (server.listening) await new Promise((ok) => server.close(ok));
    },
  };
}

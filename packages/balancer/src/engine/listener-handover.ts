import type net from 'node:net';

/**
 * Reload without a refused connection: the new engine takes over the running engine's listening
 * sockets for the addresses both configurations have. The socket is never closed or re-bound — the
 * same `net.Server` (the same kernel socket, its accept queue included) changes owner: its connection
 * handler is swapped in one synchronous step, so every connection is accepted by exactly one engine
 * and a SYN arriving during the reload waits in the backlog as usual. Addresses only the new
 * configuration has are bound fresh; the ones it dropped are closed when the old engine retires.
 */
export interface ListenerOffer {
  /** the old engine's listening socket on this address (`listenText` form), if it is still accepting */
  find(address: string): net.Server | null;
  /** forget it: the old engine no longer accepts on it nor closes it when it retires */
  release(server: net.Server): void;
}

/** Moves `server` from the old engine (`from`) to the new one's handlers. */
export function adoptListener(
  from: ListenerOffer,
  server: net.Server,
  onConnection: (sock: net.Socket) => void,
  onError: (err: Error) => void,
): void {
  from.release(server);
  server.removeAllListeners('connection');
  server.removeAllListeners('error');
  server.on('connection', onConnection);
  server.on('error', onError);
}

import type net from 'node:net';

/**
 * `maxconn` without dropping connections. HAProxy stops polling its listening socket at the limit, so new
 * connections wait in the kernel's accept backlog. Node cannot stop a listening handle from accepting
 * (libuv accepts eagerly; `readStop` on a listening TCP handle is a no-op, and `server.maxConnections`
 * closes the extra connections — tested). So the balancer accepts them with `pauseOnConnect` and parks
 * them unread, in FIFO order, until a slot frees. Seen from the client this is the kernel backlog: the
 * handshake is done, the request is sent, nothing is read or answered until a slot is free. The cost is
 * one file descriptor per parked connection; the parking lot is bounded by the listen backlog
 * (`backlog` bind option, default 1024 like HAProxy's default of maxconn-based backlog, capped), beyond
 * which a connection is reset, as an overflowing kernel backlog would drop it.
 */
export class ConnGate {
  active = 0;
  /** the limit (Infinity: none); change it with setMax (`set maxconn` on the runtime API) */
  max: number;
  readonly parent: ConnGate | null;
  readonly parked: { socket: net.Socket; start: (s: net.Socket, gate: ConnGate) => void }[] = [];
  readonly parkLimit: number;
  readonly children: ConnGate[] = [];

  constructor(max: number | null, parent: ConnGate | null, parkLimit = 1024) {
    this.max = max ?? Number.POSITIVE_INFINITY;
    this.parent = parent;
    this.parkLimit = parkLimit;
    parent?.children.push(this);
  }

  private hasRoom(): boolean {
    for (let g: ConnGate | null = this; g !== null; g = g.parent) if (g.active >= g.max) return false;
    return true;
  }

  /** Admit now, or park until `release` frees a slot. */
  admit(socket: net.Socket, start: (s: net.Socket, gate: ConnGate) => void): void {
    if (this.parked.length === 0 && this.hasRoom()) {
      this.take();
      start(socket, this);
      return;
    }
    if (this.parked.length >= this.parkLimit) {
      socket.resetAndDestroy();
      return;
    }
    const entry = { socket, start };
    this.parked.push(entry);
    // a parked client that gives up leaves the queue
    socket.once('close', () => {
      const i = this.parked.indexOf(entry);
      if (i >= 0) this.parked.splice(i, 1);
    });
    socket.on('error', () => {});
  }

  private take(): void {
    for (let g: ConnGate | null = this; g !== null; g = g.parent) g.active++;
  }

  release(): void {
    let top: ConnGate = this;
    for (let g: ConnGate | null = this; g !== null; g = g.parent) {
      g.active--;
      top = g;
    }
    // a slot freed anywhere may admit a connection parked under any sibling
    top.wake();
  }

  /** A new limit at run time: a higher one admits parked connections at once, a lower one only stops new ones. */
  setMax(max: number | null): void {
    this.max = max === null || max <= 0 ? Number.POSITIVE_INFINITY : max;
    let top: ConnGate = this;
    while (top.parent !== null) top = top.parent;
    top.wake();
  }

  /** Hands free slots to parked connections (also called on the parent when a sibling frees one). */
  wake(): void {
    for (const g of this.children) g.wake();
    this.drain();
  }

  private drain(): void {
    while (this.parked.length > 0 && this.hasRoom()) {
      const { socket, start } = this.parked.shift()!;
      if (socket.destroyed) continue;
      this.take();
      start(socket, this);
    }
  }
}

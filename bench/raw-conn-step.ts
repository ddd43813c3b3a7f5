/**
 * One server connection (connect, one request, the response, close) three ways, in one process, rounds
 * alternating: Node's `net.connect` with `onread` (what ServerConn did before raw-conn.ts), libuv's TCP
 * handle driven directly (`process.binding('tcp_wrap')`, no net.Socket / stream machinery), and the
 * balancer's ServerConn as it is now. Prints this process's CPU time (user + system) per connection.
 * This process runs on CPU 0, nginx on CPU 1.
 *
 *   node bench/raw-conn-step.ts [--seconds 3] [--rounds 5] [--inflight 20]
 */
import net from 'node:net';
import { parseArgs } from 'node:util';
import {
  type ConnTarget,
  ServerConn,
  type ServerConnOwner,
} from '../packages/balancer/src/backend/server-conn.ts';
import { installSignalCleanup, pin, startNginxBackends, stopAll } from './lib/bench-procs.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '5' },
    inflight: { type: 'string', default: '20' },
  },
});
const seconds = Math.min(30, Math.max(1, Number(values.seconds)));
const rounds = Math.min(20, Math.max(1, Number(values.rounds)));
const inflight = Math.min(500, Math.max(1, Number(values.inflight)));

const REQUEST = Buffer.from('GET / HTTP/1.1\r\nHost: bench\r\n\r\n');
const READ_BUFFER = Buffer.allocUnsafe(65536);

type Starter = (port: number, done: () => void, fail: (e: Error) => void) => void;

const viaNet: Starter = (port, done, fail) => {
  const s = net.connect({
    host: '127.0.0.1',
    port,
    noDelay: true,
    allowHalfOpen: true,
    onread: {
      buffer: READ_BUFFER,
      callback: (n: number) => {
        if (READ_BUFFER.subarray(0, n).includes('\r\n\r\n')) {
          s.destroy();
          done();
        }
        return true;
      },
    },
  });
  s.on('connect', () => s.write(REQUEST));
  s.on('error', fail);
};

// biome-ignore lint/suspicious/noExplicitAny: the internal binding has no types
const binding = (process as any).binding.bind(process);
const { TCP, TCPConnectWrap, constants } = binding('tcp_wrap');
const { WriteWrap, streamBaseState, kReadBytesOrError } = binding('stream_wrap');

const viaHandle: Starter = (port, done, fail) => {
  const h = new TCP(constants.SOCKET);
  const req = new TCPConnectWrap();
  req.oncomplete = (status: number) => {
    if (status < 0) return fail(new Error(`connect ${status}`));
    h.setNoDelay(true);
    h.readStart();
    const w = new WriteWrap();
    w.handle = h;
    w.oncomplete = () => {};
    w.async = false;
    h.writeBuffer(w, REQUEST);
  };
  h.useUserBuffer(READ_BUFFER);
  h.onread = () => {
    const n = streamBaseState[kReadBytesOrError];
    if (n > 0 && READ_BUFFER.subarray(0, n).includes('\r\n\r\n')) {
      h.readStop();
      h.close();
      done();
    } else if (n < 0) {
      h.close();
      fail(new Error(`read ${n}`));
    }
  };
  const err = h.connect(req, '127.0.0.1', port);
  if (err) fail(new Error(`connect ${err}`));
};

const viaServerConn: Starter = (port, done, fail) => {
  const owner: ServerConnOwner = {
    onServerConnect: (c) => void c.socket.write(REQUEST),
    onServerConnectError: (_c, err) => fail(err),
    onServerData: (c, chunk) => {
      if (chunk.includes('\r\n\r\n')) {
        c.owner = null;
        c.socket.destroy();
        done();
      }
    },
    onServerEnd: () => {},
    onServerClose: () => {},
    onServerDrain: () => {},
    onServerTimeout: (c) => c.socket.destroy(),
  };
  const target: ConnTarget = { spec: { host: '127.0.0.1', port, path: null }, conns: 0, idle: [] };
  new ServerConn(target, { connect: 10_000, server: 60_000 }, owner);
};

function drive(start: Starter, port: number, ms: number): Promise<number> {
  const until = Date.now() + ms;
  let n = 0;
  let running = 0;
  return new Promise((ok, ko) => {
    const next = (): void => {
      if (Date.now() >= until) {
        if (running === 0) ok(n);
        return;
      }
      running++;
      start(
        port,
        () => {
          n++;
          running--;
          next();
        },
        ko,
      );
    };
    for (let i = 0; i < inflight; i++) next();
  });
}

const impls: [string, Starter][] = [
  ['net.connect', viaNet],
  ['TCP handle', viaHandle],
  ['ServerConn', viaServerConn],
];
installSignalCleanup();
try {
  const { ports, procs } = await startNginxBackends(1);
  for (const p of procs) pin(p.pid, 1);
  pin(process.pid, 0);
  for (const [, s] of impls) await drive(s, ports[0], 1000);
  const per: Record<string, number[]> = {};
  for (let r = 0; r < rounds; r++) {
    for (const [name, s] of impls) {
      const t0 = process.cpuUsage();
      const n = await drive(s, ports[0], seconds * 1000);
      const d = process.cpuUsage(t0);
      per[name] ??= [];
      per[name].push((d.user + d.system) / n);
      console.log(
        `round ${r + 1} ${name.padEnd(12)} ${(n / seconds).toFixed(0).padStart(6)} conn/s  ${((d.user + d.system) / n).toFixed(1)} µs CPU/connection (user ${(d.user / n).toFixed(1)}, system ${(d.system / n).toFixed(1)})`,
      );
    }
  }
  for (const [name, xs] of Object.entries(per)) {
    const s = [...xs].sort((a, b) => a - b);
    console.log(`${name.padEnd(12)} median ${s[s.length >> 1].toFixed(1)} µs, min ${s[0].toFixed(1)} µs`);
  }
} finally {
  await stopAll();
}

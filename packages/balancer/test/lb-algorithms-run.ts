/**
 * Runs one row of lb-algorithms-cases.ts against HAProxy or the balancer: starts one loopback server
 * per `server` line that tells its name (HTTP: the response body; mode tcp: a line on connect, then it
 * holds the connection), runs the steps one after the other and returns the name each one reached.
 */
import net from 'node:net';
import type { LbCase, LbStep } from './lb-algorithms-cases.ts';
import { freePort, freePorts } from './support/ports.ts';
import { type ProxyKind, startProxy } from './support/proc.ts';

const STEP_MS = 5000;

interface NamedServers {
  ports: number[];
  /** mode tcp: connection ids the servers saw close */
  closed: Set<string>;
  close(): Promise<void>;
}

async function startNamedServers(c: LbCase): Promise<NamedServers> {
  const ports = await freePorts(c.servers.length);
  const closed = new Set<string>();
  let seq = 0;
  const sockets = new Set<net.Socket>();
  const servers = c.servers.map((s, i) => {
    const srv = net.createServer((sock) => {
      sockets.add(sock);
      sock.on('close', () => sockets.delete(sock));
      sock.on('error', () => {});
      if (c.mode === 'tcp') {
        const id = `${s.name}#${seq++}`;
        sock.write(`${s.name} ${id}\n`);
        sock.on('data', () => {});
        sock.on('end', () => sock.end());
        sock.on('close', () => closed.add(id));
        return;
      }
      let buf = '';
      sock.on('data', (d) => {
        buf += d.toString('latin1');
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const cl = /\r\ncontent-length: *(\d+)/i.exec(buf.slice(0, end));
        if (cl && buf.length < end + 4 + Number(cl[1])) return;
        sock.end(`HTTP/1.1 200 OK\r\nContent-Length: ${s.name.length}\r\nConnection: close\r\n\r\n${s.name}`);
      });
    });
    if (!s.refuse) srv.listen(ports[i], '127.0.0.1');
    return srv;
  });
  await Promise.all(
    servers.map((s, i) => (c.servers[i].refuse ? null : new Promise((r) => s.once('listening', r)))),
  );
  return {
    ports,
    closed,
    close: async () => {
      for (const sock of sockets) sock.destroy();
      await Promise.all(servers.map((s, i) => (c.servers[i].refuse ? null : new Promise((r) => s.close(r)))));
    },
  };
}

export function lbConfig(c: LbCase, port: number, serverPorts: number[]): string {
  return [
    'global',
    '    nbthread 1',
    'defaults',
    `    mode ${c.mode}`,
    '    timeout connect 2s',
    '    timeout client 10s',
    '    timeout server 10s',
    'listen lb',
    `    bind 127.0.0.1:${port}`,
    ...c.lines.map((l) => `    ${l}`),
    ...c.servers.map(
      (s, i) => `    server ${s.name} 127.0.0.1:${serverPorts[i]}${s.extra ? ` ${s.extra}` : ''}`,
    ),
    '',
  ].join('\n');
}

function connectFrom(port: number, source?: string): net.Socket {
  const sock = net.connect({ port, host: '127.0.0.1', ...(source ? { localAddress: source } : {}) });
  sock.setTimeout(STEP_MS, () => sock.destroy(new Error('step timed out')));
  return sock;
}

function httpGet(port: number, step: Extract<LbStep, { kind: 'get' }>): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connectFrom(port, step.source);
    let text = '';
    sock.on('data', (d) => {
      text += d.toString('latin1');
    });
    sock.on('error', reject);
    sock.on('close', () => {
      const m = /^HTTP\/1\.1 (\d+)[\s\S]*?\r\n\r\n([\s\S]*)$/.exec(text);
      resolve(
        m ? (m[1] === '200' ? m[2] : `status ${m[1]}`) : `no response: ${JSON.stringify(text.slice(0, 80))}`,
      );
    });
    const headers = step.headers ?? [];
    const hasHost = headers.some(([k]) => k.toLowerCase() === 'host');
    const body = step.body ?? '';
    const lines = [
      `${step.method ?? 'GET'} ${step.target} HTTP/1.1`,
      ...(hasHost ? [] : ['Host: lb.test']),
      ...headers.map(([k, v]) => `${k}: ${v}`),
      ...(body ? [`Content-Length: ${Buffer.byteLength(body)}`] : []),
      'Connection: close',
    ];
    sock.write(`${lines.join('\r\n')}\r\n\r\n${body}`);
  });
}

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 5));
  }
  return true;
}

/** The server name each step reached (mode tcp: each `open`). */
export async function runLbCase(kind: ProxyKind, c: LbCase): Promise<string[]> {
  const named = await startNamedServers(c);
  const port = await freePort();
  const proxy = await startProxy(kind, lbConfig(c, port, named.ports), [port]);
  const open = new Map<string, { sock: net.Socket; conn: string }>();
  const out: string[] = [];
  try {
    for (const step of c.steps) {
      if (step.kind === 'get') out.push(await httpGet(port, step));
      else if (step.kind === 'open') {
        const sock = connectFrom(port, step.source);
        sock.on('error', () => {});
        let line = '';
        sock.on('data', (d) => {
          line += d.toString('latin1');
        });
        const ok = await waitFor(() => line.includes('\n') || sock.destroyed, STEP_MS);
        const [name, conn] = line.trim().split(' ');
        out.push(ok && name ? name : 'no server');
        open.set(step.id, { sock, conn: conn ?? '' });
      } else {
        const o = open.get(step.id);
        if (!o) throw new Error(`${c.id}: close of unknown connection ${step.id}`);
        o.sock.end();
        if (!(await waitFor(() => named.closed.has(o.conn), STEP_MS)))
          throw new Error(`${c.id}: the server did not see ${step.id} close`);
        o.sock.destroy();
        open.delete(step.id);
      }
    }
  } finally {
    for (const o of open.values()) o.sock.destroy();
    await proxy.stop();
    await named.close();
  }
  return out;
}

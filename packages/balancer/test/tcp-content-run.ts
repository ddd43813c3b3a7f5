/**
 * Runs tcp-content-cases.ts through HAProxy or the balancer: one configuration with a `mode tcp`
 * frontend per row, three greeting servers (b1, b2, b3: each writes its name when a connection
 * arrives and keeps what it receives) and a syslog listener for the tcplog lines. Rows run one after
 * the other, so what the servers received during a row is that row's.
 */
import net from 'node:net';
import { freePorts } from './support/ports.ts';
import { type ProxyKind, startProxy } from './support/proc.ts';
import { startSyslogListener } from './support/syslog-listener.ts';
import { waitFor } from './support/wait-for.ts';
import { TCP_CONTENT_CASES, type TcpContentCase } from './tcp-content-cases.ts';

const NAMES = ['b1', 'b2', 'b3', 'talker'];

interface Greeters {
  ports: number[];
  /** what each connection received, in arrival order: `b2 <- "…"` */
  got: { name: string; data: string; open: boolean }[];
  close(): Promise<void>;
}

async function startGreeters(): Promise<Greeters> {
  const ports = await freePorts(NAMES.length);
  const got: Greeters['got'] = [];
  const sockets = new Set<net.Socket>();
  const servers = NAMES.map((name, i) => {
    const srv = net.createServer((sock) => {
      const rec = { name, data: '', open: true };
      got.push(rec);
      sockets.add(sock);
      sock.on('data', (d) => {
        rec.data += d.toString('latin1');
        // the talker says what it is told: each `w:TEXT` line makes it write TEXT
        if (name === 'talker')
          for (const m of d.toString('latin1').matchAll(/w:([^\n]*)\n/g)) sock.write(m[1]);
      });
      sock.on('error', () => {});
      sock.on('close', () => {
        rec.open = false;
        sockets.delete(sock);
      });
      if (name !== 'talker') sock.write(`${name}\n`);
    });
    srv.listen(ports[i], '127.0.0.1');
    return srv;
  });
  await Promise.all(servers.map((s) => new Promise((r) => s.once('listening', r))));
  return {
    ports,
    got,
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    },
  };
}

export function tcpContentConfig(
  cases: readonly TcpContentCase[],
  ports: readonly number[],
  servers: readonly number[],
  syslog: number,
): string {
  const out = [
    'global',
    '    nbthread 1',
    `    log 127.0.0.1:${syslog} local0`,
    'defaults',
    '    mode tcp',
    '    log global',
    '    option tcplog',
    '    timeout connect 2s',
    '    timeout client 10s',
    '    timeout server 10s',
  ];
  NAMES.slice(0, 3).forEach((b, i) => {
    out.push(`backend ${b}`, `    server s${i + 1} 127.0.0.1:${servers[i]}`);
  });
  cases.forEach((c, i) => {
    out.push(`frontend t${i}`, `    bind 127.0.0.1:${ports[i]}`);
    for (const l of c.lines) out.push(`    ${l}`);
    // a row with backend lines has its own backend, in front of the talker
    if (c.backend) out.push(`    default_backend r${i}`);
    else if (!c.lines.some((l) => l.startsWith('default_backend '))) out.push('    default_backend b1');
  });
  cases.forEach((c, i) => {
    if (!c.backend) return;
    out.push(`backend r${i}`);
    for (const l of c.backend) out.push(`    ${l}`);
    out.push(`    server talker 127.0.0.1:${servers[3]}`);
  });
  return `${out.join('\n')}\n`;
}

const show = (s: string) => JSON.stringify(s);

async function play(
  port: number,
  c: TcpContentCase,
): Promise<{ text: string; closedByProxy: boolean; ms: number }> {
  const sock = net.connect({ port, host: '127.0.0.1' });
  sock.on('error', () => {});
  let text = '';
  let closed = false;
  let clientEnded = false;
  let t0 = -1;
  let t1 = -1;
  sock.on('data', (d) => {
    if (text === '' && t1 < 0) t1 = Date.now();
    text += d.toString('latin1');
  });
  sock.on('end', () => {
    if (t1 < 0) t1 = Date.now();
  });
  sock.on('close', () => {
    if (t1 < 0) t1 = Date.now();
    closed = true;
  });
  await new Promise<void>((ok) => sock.once('connect', () => ok()));
  for (const s of c.steps) {
    if ('send' in s) {
      if (t0 < 0) t0 = Date.now();
      sock.write(s.send);
    } else if ('pause' in s) await new Promise((r) => setTimeout(r, s.pause));
    else if ('end' in s) {
      clientEnded = true;
      sock.end();
    } else await waitFor(() => text !== '' || closed, 3000);
  }
  await waitFor(() => (c.expect === undefined ? text !== '' : text.includes(c.expect)) || closed, 3000);
  const closedByProxy = closed && !clientEnded;
  if (!closed) sock.end();
  await waitFor(() => closed, 3000);
  sock.destroy();
  return { text, closedByProxy, ms: t0 < 0 || t1 < 0 ? -1 : t1 - t0 };
}

/** From a tcplog line: `backend/server` and the termination state. */
function logFields(line: string | undefined): string {
  if (line === undefined) return 'no log line';
  const m = / t\d+ (\S+) \S+ \S+ (\S\S) /.exec(line);
  return m ? `${m[1]} ${m[2]}` : `unparsed: ${line}`;
}

/** Row id → what was observed, as text. */
export async function runTcpContentCases(
  kind: ProxyKind,
  cases: readonly TcpContentCase[] = TCP_CONTENT_CASES,
): Promise<Record<string, string>> {
  const greeters = await startGreeters();
  const syslog = await startSyslogListener();
  const ports = await freePorts(cases.length);
  const proxy = await startProxy(kind, tcpContentConfig(cases, ports, greeters.ports, syslog.port), [
    ports[0],
    ports.at(-1)!,
  ]);
  try {
    // the start-up probes of the first and last port are connections too: let them end first
    await waitFor(() => syslog.lines.length >= 2 && greeters.got.every((g) => !g.open), 3000);
    const out: Record<string, string> = {};
    for (let i = 0; i < cases.length; i++) {
      const c = cases[i];
      const from = greeters.got.length;
      const logFrom = syslog.lines.length;
      const r = await play(ports[i], c);
      const fe = ` t${i} `;
      const mine = () => syslog.lines.slice(logFrom).find((l) => l.includes(fe));
      await waitFor(() => mine() !== undefined, 3000);
      await waitFor(() => greeters.got.slice(from).every((g) => !g.open), 3000);
      const line = mine();
      const servers = greeters.got.slice(from).map((g) => `${g.name} received ${show(g.data)}`);
      const rows = [
        `client got ${show(r.text)}${r.closedByProxy ? ', then the proxy closed' : ''}`,
        ...(servers.length ? servers : ['no server connection']),
        `log ${logFields(line)}`,
      ];
      if (c.timed !== undefined)
        rows.push(
          r.ms >= c.timed * 0.7 ? 'decided after the inspect delay' : 'decided before the inspect delay',
        );
      out[c.id] = rows.join('\n');
    }
    return out;
  } finally {
    await proxy.stop();
    await syslog.close();
    await greeters.close();
  }
}

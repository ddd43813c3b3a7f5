/**
 * Runs the whole of rules-cases.ts through HAProxy or the balancer: one configuration with a frontend
 * per row (each on a free port), three echo servers (b1, b2, b3: they answer with their name and
 * the request head they received, plus a few response headers the response rules work on) and an
 * empty backend (bdown: the balancer's own 503). Each answer is normalised for comparison: header
 * names lower-cased (HAProxy lower-cases what it forwards), `connection` lines left out.
 */
import net from 'node:net';
import { RULE_CASES, type RuleCase, type RuleRequest } from './rules-cases.ts';
import { freePorts } from './support/ports.ts';
import { type ProxyKind, startProxy } from './support/proc.ts';

const FIXTURES = new URL('./rules-fixtures/', import.meta.url).pathname;
const WAIT_MS = 3000;

function normalizeHead(text: string): string {
  const lines = text.split(/\r?\n/);
  const out = [lines[0]];
  for (const l of lines.slice(1)) {
    const colon = l.indexOf(':');
    if (colon < 0) continue;
    const name = l.slice(0, colon).toLowerCase();
    if (name === 'connection') continue;
    out.push(`${name}:${l.slice(colon + 1)}`);
  }
  return out.join('\n');
}

async function startEchoServers(names: string[]): Promise<{ ports: number[]; close(): Promise<void> }> {
  const ports = await freePorts(names.length);
  const sockets = new Set<net.Socket>();
  const servers = names.map((name, i) => {
    const srv = net.createServer((sock) => {
      sockets.add(sock);
      sock.on('close', () => sockets.delete(sock));
      sock.on('error', () => {});
      let buf = '';
      sock.on('data', (d) => {
        buf += d.toString('latin1');
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const body = `${name}\n${normalizeHead(buf.slice(0, end))}`;
        sock.end(
          `HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nx-resp: a, b\r\nset-cookie: s=1; path=/\r\ncontent-length: ${Buffer.byteLength(body, 'latin1')}\r\nconnection: close\r\n\r\n${body}`,
        );
      });
    });
    srv.listen(ports[i], '127.0.0.1');
    return srv;
  });
  await Promise.all(servers.map((s) => new Promise((r) => s.once('listening', r))));
  return {
    ports,
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    },
  };
}

const BASE_DEFAULTS = [
  '    mode http',
  '    timeout connect 2s',
  '    timeout client 10s',
  '    timeout server 10s',
];

export function rulesConfig(cases: readonly RuleCase[], ports: readonly number[], echo: number[]): string {
  const sub = (s: string, id: string) =>
    s
      .replaceAll('{id}', id)
      .replaceAll('{b1}', String(echo[0]))
      .replaceAll('{b2}', String(echo[1]))
      .replaceAll('{b3}', String(echo[2]))
      .replaceAll('rules-fixtures/', FIXTURES);
  const out = ['global', '    nbthread 1', 'defaults', ...BASE_DEFAULTS];
  ['b1', 'b2', 'b3'].forEach((b, i) => {
    out.push(`backend ${b}`, `    server s${i + 1} 127.0.0.1:${echo[i]}`);
  });
  out.push('backend bdown');
  cases.forEach((c, i) => {
    const id = c.id.replace(/[^A-Za-z0-9_]/g, '_');
    if (c.defaults) out.push(`defaults d_${id}`, ...BASE_DEFAULTS, ...c.defaults.map((l) => `    ${l}`));
    out.push(`frontend r_${id}${c.defaults ? ` from d_${id}` : ''}`, `    bind 127.0.0.1:${ports[i]}`);
    for (const l of c.lines) out.push(`    ${sub(l, id)}`);
    if (!c.lines.some((l) => l.startsWith('default_backend '))) out.push('    default_backend b1');
    if (c.sections) out.push(sub(c.sections, id).trimEnd());
    if (c.defaults) out.push('defaults', ...BASE_DEFAULTS);
  });
  return `${out.join('\n')}\n`;
}

function ask(port: number, r: RuleRequest): Promise<string> {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host: '127.0.0.1', ...(r.source ? { localAddress: r.source } : {}) });
    let text = '';
    const timer = setTimeout(() => sock.destroy(), WAIT_MS);
    sock.on('data', (d) => {
      text += d.toString('latin1');
    });
    sock.on('error', () => {});
    sock.on('close', () => {
      clearTimeout(timer);
      if (text === '') return resolve('(connection closed without a response)');
      const end = text.indexOf('\r\n\r\n');
      resolve(
        end < 0 ? `(incomplete) ${text}` : `${normalizeHead(text.slice(0, end))}\n\n${text.slice(end + 4)}`,
      );
    });
    const headers = r.headers ?? [];
    const hasHost = headers.some(([k]) => k.toLowerCase() === 'host');
    const lines = [
      `${r.method ?? 'GET'} ${r.target} HTTP/1.${r.http10 ? 0 : 1}`,
      ...(hasHost ? [] : ['Host: rules.test']),
      ...headers.map(([k, v]) => `${k}: ${v}`),
      ...(r.http10 ? [] : ['Connection: close']),
    ];
    sock.write(`${lines.join('\r\n')}\r\n\r\n`);
  });
}

/** Row id → normalised answer. */
export async function runRuleCases(
  kind: ProxyKind,
  cases: readonly RuleCase[] = RULE_CASES,
): Promise<Record<string, string>> {
  const echo = await startEchoServers(['b1', 'b2', 'b3']);
  // one free port per row (not a consecutive run: the machine is shared, long runs are rare)
  const ports = await freePorts(cases.length);
  const proxy = await startProxy(kind, rulesConfig(cases, ports, echo.ports), [ports[0], ports.at(-1)!]);
  try {
    const out: Record<string, string> = {};
    // a few at a time: the machine is shared
    for (let i = 0; i < cases.length; i += 8) {
      const batch = cases.slice(i, i + 8);
      const answers = await Promise.all(batch.map((c, k) => ask(ports[i + k], c.req)));
      batch.forEach((c, k) => {
        out[c.id] = answers[k];
      });
    }
    return out;
  } finally {
    await proxy.stop();
    await echo.close();
  }
}

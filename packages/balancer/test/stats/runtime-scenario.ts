/**
 * The runtime-API commands that change the running data path, run against the real haproxy
 * (runtime-record.ts writes runtime-expected.json) and the balancer (runtime.test.ts compares):
 * `show errors`, `show sess`, `shutdown session`, `set server B/S addr`, `set maxconn
 * frontend|server|global`, `add server` / `del server`, with their error replies. After each change a
 * probe observes its effect on traffic (which upstream answers, what the stats say); the replies are
 * compared byte for byte once what varies between runs is masked (maskReply).
 */
import { existsSync } from 'node:fs';
import type net from 'node:net';
import { freePorts } from '../support/ports.ts';
import { type Managed, type ProxyKind, startProxy } from '../support/proc.ts';
import { exchange, openClient, type RawClient } from '../support/raw-client.ts';
import { startRawServer } from '../support/raw-server.ts';
import { statsCommand } from '../support/stats-socket.ts';
import { waitFor } from '../support/wait-for.ts';

export const RUNTIME_CONFIG = `global
    maxconn 1000
    stats socket {{sock}} mode 600 level admin
defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
frontend fe
    bind 127.0.0.1:{{fe}}
    default_backend web
backend web
    balance roundrobin
    server s1 127.0.0.1:{{up1}}
backend st
    balance static-rr
    server t1 127.0.0.1:{{up1}}
`;

export interface RuntimeRun {
  /** [step, what the proxy answered or what the probe saw], in order */
  steps: [string, string][];
}

/** Upstreams answering `upN` to anything but /slow, which they never answer. */
async function upstream(name: string) {
  return startRawServer((sock: net.Socket) => {
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.slice(0, end);
        buf = buf.slice(end + 4);
        if (head.split(' ')[1]?.startsWith('/slow')) continue;
        sock.write(`HTTP/1.1 200 OK\r\ncontent-length: ${name.length}\r\n\r\n${name}`);
      }
    });
  });
}

/** Masks what differs between runs or between the two programs by nature (pointers, ports, ages, dates). */
export function maskReply(cmd: string, reply: string): string {
  let r = reply
    .replace(/\[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d\.\d{3}\]/g, '[DATE]')
    .replace(/'\d{4,5}'/g, "'PORT'")
    .replace(/:\d{4,5}\b/g, ':PORT');
  if (cmd === 'show sess')
    // pointers, ports, ages and the stream's internal flags are HAProxy's own: the summary's identity fields compare
    r = r.replace(/^0x[0-9a-f]+: (proto=\S+ src=\S+ fe=\S+ be=\S+ srv=\S+ ts=\S+) .*$/gm, 'PTR: $1 …');
  if (cmd.startsWith('show servers state'))
    r = r.replace(/^(\d+ \S+ \d+ \S+ \S+ \d+ \d+ \d+ \d+) \d+ (.*) - \d+ - /gm, '$1 T $2 - P - ');
  return r;
}

const GET = (path: string) => `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`;

export async function runRuntimeScenario(kind: ProxyKind, sockDir: string): Promise<RuntimeRun> {
  const up1 = await upstream('up1');
  const up2 = await upstream('up2');
  const up3 = await upstream('up3');
  const [fe] = await freePorts(1);
  const sock = `${sockDir}/${kind}-runtime.sock`;
  const ports: Record<string, number> = { fe, up1: up1.port, up2: up2.port, up3: up3.port };
  const cfg = RUNTIME_CONFIG.replace(/\{\{(\w+)\}\}/g, (_m, k: string) =>
    k === 'sock' ? sock : String(ports[k]),
  );
  const proxy: Managed = await startProxy(kind, cfg, [fe]);
  const steps: [string, string][] = [];
  const cmd = async (c: string) => {
    const text = c.replace(/\{\{(\w+)\}\}/g, (_m, k: string) => String(ports[k]));
    const reply = await statsCommand(sock, text);
    steps.push([c, maskReply(c, reply)]);
    return reply;
  };
  const see = (what: string, value: string) => steps.push([`observe: ${what}`, value]);
  const answers = async (n: number) => {
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const x = await exchange(fe, GET(`/r${i}`), { ms: 4000 });
      out.push(/\r\n\r\n(.*)$/s.exec(x.text)?.[1] ?? '-');
    }
    return out.join(',');
  };
  const statCell = async (pxsv: string, col: string) => {
    const csv = await statsCommand(sock, 'show stat');
    const lines = csv.split('\n');
    const header = lines[0].replace(/^# /, '').split(',');
    const row = lines.find((l) => l.startsWith(`${pxsv},`))?.split(',') ?? [];
    return row[header.indexOf(col)] ?? '?';
  };
  const slow: RawClient[] = [];
  const openSlow = async () => {
    const c = openClient(fe);
    c.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
    slow.push(c);
    await c.connected;
  };
  try {
    if (!(await waitFor(() => existsSync(sock), 15_000))) throw new Error(`no stats socket at ${sock}`);
    await cmd('show errors');
    // a request in progress on s1: `show sess` lists it, `shutdown session` cuts it
    await openSlow();
    await waitFor(async () => (await statCell('web,s1', 'scur')) === '1', 5000);
    const sess = await cmd('show sess');
    const ptr = /^(0x[0-9a-f]+): proto=tcpv4 .* fe=fe /m.exec(sess)?.[1] ?? '0x0';
    steps.push([`shutdown session PTR`, maskReply('', await statsCommand(sock, `shutdown session ${ptr}`))]);
    see(
      'the server has no session left',
      String(await waitFor(async () => (await statCell('web,s1', 'scur')) === '0', 3000)),
    );
    see('the client of the cut session is closed', String(await waitFor(() => slow[0].closed(), 3000)));
    see('what the client got', slow[0].text().split('\r\n')[0] || '(nothing)');
    await cmd('shutdown session');
    await cmd('shutdown session 0x1234');
    // addresses
    await cmd('set server web/s1 addr 127.0.0.1 port {{up2}}');
    see('after addr change, answered by', await answers(2));
    await cmd('set server web/s1 addr 127.0.0.1');
    await cmd('set server web/s1 addr 127.0.0.1 port {{up1}}');
    see('after the port back, answered by', await answers(1));
    await cmd('set server web/s1 addr bad');
    await cmd('set server web/s1 addr');
    // maxconn
    await cmd('set maxconn server web/s1 1');
    see('server slim', await statCell('web,s1', 'slim'));
    await openSlow();
    await openSlow();
    await waitFor(async () => (await statCell('web,BACKEND', 'qcur')) === '1', 5000);
    see(
      'two slow requests with maxconn 1: server scur / backend qcur',
      `${await statCell('web,s1', 'scur')}/${await statCell('web,BACKEND', 'qcur')}`,
    );
    for (const c of slow) c.sock.destroy();
    await waitFor(async () => (await statCell('web,s1', 'scur')) === '0', 5000);
    await cmd('set maxconn server web/s1 0');
    await cmd('set maxconn server web/s1');
    await cmd('set maxconn server web/nope 1');
    await cmd('set maxconn frontend fe 7');
    see('frontend slim', await statCell('fe,FRONTEND', 'slim'));
    await cmd('set maxconn frontend nope 1');
    await cmd('set maxconn frontend fe');
    await cmd('set maxconn global 600');
    see('show info Maxconn', /^Maxconn: (.*)$/m.exec(await statsCommand(sock, 'show info'))?.[1] ?? '?');
    await cmd('set maxconn global');
    await cmd('set maxconn');
    // dynamic servers
    await cmd('add server web/s2 127.0.0.1:{{up3}}');
    await cmd('show servers state web');
    see('with s2 added (in maintenance), answered by', await answers(2));
    await cmd('del server web/s1');
    await cmd('set server web/s2 state ready');
    see('with s2 ready, answered by', await answers(4));
    await cmd('add server web/s2 127.0.0.1:{{up3}}');
    await cmd('add server web/s4 127.0.0.1:{{up3}} weight 5 maxconn 3 disabled');
    await cmd('add server st/t2 127.0.0.1:{{up3}}');
    await cmd('add server nope/x 127.0.0.1:{{up3}}');
    await cmd('add server web/s5');
    await cmd('add server web/s6 127.0.0.1:{{up3}} bogus');
    await cmd('add server web');
    await cmd('del server web/s2');
    await cmd('set server web/s2 state maint');
    await cmd('del server web/s2');
    see('with s2 deleted, answered by', await answers(3));
    await cmd('del server web/s2');
    await cmd('del server nope/x');
    await cmd('del server web');
    await cmd('show servers state web');
    // last: values HAProxy takes as 0 (a frontend that accepts nothing more, the hard limit)
    await cmd('set maxconn frontend fe abc');
    await cmd('set maxconn global 0');
    return { steps };
  } finally {
    for (const c of slow) c.sock.destroy();
    await proxy.stop();
    await up1.close();
    await up2.close();
    await up3.close();
  }
}

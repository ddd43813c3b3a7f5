/**
 * What rules do to the stats counters, run through HAProxy 2.6 or the balancer: one configuration whose
 * frontends deny, reject, answer (return, redirect, auth) and tcp-reject, a fixed series of requests,
 * then `show stat` on the runtime socket reduced to the counters rules move (dreq, dresp, dcon, dses,
 * intercepted, stot and the status classes) per proxy row. deny-counters-record.ts records HAProxy's
 * into deny-counters-expected.json; deny-counters.test.ts holds the balancer to it.
 */
import net from 'node:net';
import { join } from 'node:path';
import { makeTempDir } from './support/env.ts';
import { startUpstream } from './support/harness.ts';
import { freePorts } from './support/ports.ts';
import { type ProxyKind, startProxy } from './support/proc.ts';
import { exchange } from './support/raw-client.ts';
import { statsCommand } from './support/stats-socket.ts';

const FIELDS = [
  'stot',
  'dreq',
  'dresp',
  'dcon',
  'dses',
  'intercepted',
  'hrsp_2xx',
  'hrsp_3xx',
  'hrsp_4xx',
  'hrsp_5xx',
];

function config(sock: string, p: number[], up: number): string {
  return `global
    nbthread 1
    stats socket ${sock} level admin
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:${p[0]}
    http-request deny if { path /fdeny }
    http-request reject if { path /freject }
    http-request return status 200 if { path /fret }
    http-request redirect location /x if { path /fredir }
    http-request auth if { path /fauth }
    redirect location /y if { path /flegacy }
    http-response deny if { res.hdr(x-deny) -m str fe }
    use_backend be2 if { path_beg /b2 }
    default_backend be
backend be
    http-response deny if { res.hdr(x-deny) -m str be }
    server s1 127.0.0.1:${up}
backend be2
    http-request deny if { path /b2/deny }
    http-request return status 201 if { path /b2/ret }
    http-request redirect location /z if { path /b2/redir }
    server s1 127.0.0.1:${up}
listen li
    bind 127.0.0.1:${p[1]}
    http-request deny if { path /ldeny }
    http-response deny if { res.hdr(x-deny) -m str be }
    server s1 127.0.0.1:${up}
frontend tconn
    mode tcp
    bind 127.0.0.1:${p[2]}
    tcp-request connection reject if { src 127.0.0.1 }
    default_backend bt
frontend tsess
    mode tcp
    bind 127.0.0.1:${p[3]}
    tcp-request session reject if { src 127.0.0.1 }
    default_backend bt
frontend tcont
    mode tcp
    bind 127.0.0.1:${p[4]}
    tcp-request content reject if { src 127.0.0.1 }
    default_backend bt
backend bt
    mode tcp
    server s1 127.0.0.1:${up}
`;
}

/** Connects, sends nothing, waits for the proxy to close (a rejected connection). */
function tcpTry(port: number): Promise<void> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    const done = () => {
      clearTimeout(t);
      s.destroy();
      resolve();
    };
    const t = setTimeout(done, 2000);
    s.on('close', done);
    s.on('error', done);
  });
}

/** `show stat` reduced to "pxname/svname field=value …" lines. */
export async function runDenyCounters(kind: ProxyKind): Promise<string[]> {
  // the server marks the responses the http-response rules deny: /rdeny-fe and /rdeny-be
  const up = await startUpstream((req, socket) => {
    const path = req.split(' ')[1];
    const mark = path.startsWith('/rdeny-') ? `x-deny: ${path.slice(7)}\r\n` : '';
    socket.write(`HTTP/1.1 200 OK\r\n${mark}content-length: 2\r\n\r\nok`);
  });
  const tmp = makeTempDir('deny-counters');
  const sock = join(tmp.dir, 'stats.sock');
  const p = await freePorts(5);
  const proxy = await startProxy(kind, config(sock, p, up.port), [p[0], p[1]]);
  try {
    const get = (port: number, path: string) =>
      exchange(port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, { ms: 3000 });
    for (const path of [
      '/fdeny',
      '/fdeny',
      '/freject',
      '/fret',
      '/fredir',
      '/fauth',
      '/flegacy',
      '/b2/deny',
      '/b2/ret',
      '/b2/redir',
      '/rdeny-fe',
      '/rdeny-be',
      '/ok',
    ])
      await get(p[0], path);
    for (const path of ['/ldeny', '/rdeny-be', '/ok']) await get(p[1], path);
    for (const port of [p[2], p[3], p[4]]) await tcpTry(port);
    const csv = await statsCommand(sock, 'show stat');
    const lines = csv.split('\n');
    const head = lines[0].replace(/^# /, '').split(',');
    const out: string[] = [];
    for (const l of lines.slice(1)) {
      const v = l.split(',');
      if (v.length < 10) continue;
      const row = Object.fromEntries(head.map((h, i) => [h, v[i]]));
      const kept = FIELDS.filter((f) => row[f] !== '' && row[f] !== undefined).map((f) => `${f}=${row[f]}`);
      out.push(`${row.pxname}/${row.svname} ${kept.join(' ')}`);
    }
    return out;
  } finally {
    await proxy.stop();
    await up.close();
    tmp.remove();
  }
}

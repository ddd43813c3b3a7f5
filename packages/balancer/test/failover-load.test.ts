/**
 * Under a bounded load (8 keep-alive clients for about 4 s), one of two backend server processes is
 * killed and restarted later. With `retries 3`, `option redispatch`, health checks and `retry-on
 * conn-failure empty-response` (what makes an idempotent request safe to replay when its server dies
 * under it), no GET fails while the other server is up. The counts are printed.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import { test } from 'node:test';
import { freePorts, waitForPort } from './support/ports.ts';
import { startProxy } from './support/proc.ts';
import { waitFor } from './support/wait-for.ts';

const SERVER = `
const http = require('node:http');
const [name, port] = process.argv.slice(1);
http.createServer((req, res) => { req.resume(); req.on('end', () => res.end(name)); }).listen(+port, '127.0.0.1');
`;

function startServer(name: string, port: number): ChildProcess {
  return spawn(process.execPath, ['-e', SERVER, name, String(port)], { stdio: 'ignore' });
}

test('a backend server killed and restarted under load: 0 failed GETs (retries 3, redispatch, checks)', async () => {
  const [port, pa, pb] = await freePorts(3);
  let a = startServer('a', pa);
  const b = startServer('b', pb);
  await waitForPort(pa);
  await waitForPort(pb);
  const cfg = [
    'defaults',
    '    mode http',
    '    option redispatch',
    '    retries 3',
    '    retry-on conn-failure empty-response',
    '    timeout connect 1s',
    '    timeout client 10s',
    '    timeout server 10s',
    'frontend fe',
    `    bind 127.0.0.1:${port}`,
    '    default_backend be',
    'backend be',
    '    balance roundrobin',
    `    server a 127.0.0.1:${pa} check inter 200 fall 2 rise 2`,
    `    server b 127.0.0.1:${pb} check inter 200 fall 2 rise 2`,
    '',
  ].join('\n');
  const proxy = await startProxy('balancer', cfg, [port]);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const counts = { ok: 0, failed: 0, a: 0, b: 0, statuses: {} as Record<string, number> };
  let phase = 'both up';
  const byPhase: Record<string, { a: number; b: number; failed: number }> = {};
  const get = () =>
    new Promise<void>((done) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => {
          byPhase[phase] ??= { a: 0, b: 0, failed: 0 };
          const p = byPhase[phase];
          if (res.statusCode === 200 && (body === 'a' || body === 'b')) {
            counts.ok++;
            counts[body]++;
            p[body]++;
          } else {
            counts.failed++;
            p.failed++;
            counts.statuses[String(res.statusCode)] = (counts.statuses[String(res.statusCode)] ?? 0) + 1;
          }
          done();
        });
      });
      req.on('error', (e) => {
        counts.failed++;
        counts.statuses[e.message] = (counts.statuses[e.message] ?? 0) + 1;
        done();
      });
    });
  const deadline = Date.now() + 4500;
  const loops = Array.from({ length: 8 }, async () => {
    while (Date.now() < deadline) await get();
  });
  try {
    await waitFor(() => counts.a > 50 && counts.b > 50, 3000);
    phase = 'a killed';
    a.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 1500));
    phase = 'a restarted';
    a = startServer('a', pa);
    await Promise.all(loops);
    console.log(`failover under load: ${JSON.stringify(counts)} by phase ${JSON.stringify(byPhase)}`);
    assert.equal(counts.failed, 0, JSON.stringify(counts));
    assert.ok((byPhase['a restarted']?.a ?? 0) > 0, 'the restarted server gets traffic again');
  } finally {
    agent.destroy();
    a.kill('SIGKILL');
    b.kill('SIGKILL');
    await proxy.stop();
  }
});

/**
 * What `option httplog` to a UDP syslog target costs, HAProxy 2.6 (nbthread 1) vs the balancer, in one
 * run: keep-alive on both sides (workload (a) of http-vs-haproxy.ts), with logging off (no `log`
 * line) and on (`log 127.0.0.1:PORT local2` in global, `log global` + `option httplog`), alternating
 * H-off, B-off, H-on, B-on for each round. The proxy is pinned to CPU 0 (taskset), wrk and this
 * script's UDP listener to CPU 1. Prints req/s, the proxy's CPU time per request (utime + stime from
 * /proc, the steadier figure on a shared machine) and the log lines the listener received per request.
 *
 *   node bench/logging-throughput.ts [--seconds 5] [--rounds 2] [--conns 50]
 */
import { execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import { parseArgs } from 'node:util';
import { freePort } from '../packages/balancer/test/support/ports.ts';
import { haproxyPath, type ProxyKind } from '../packages/balancer/test/support/proc.ts';
import { installSignalCleanup, run, startNginxBackends, startProxyFor, stopAll } from './lib/bench-procs.ts';
import { cpuMicros } from './lib/proc-cpu.ts';
import { parseWrk, type WrkResult } from './lib/wrk.ts';

function config(port: number, backend: number, syslog: number | null): string {
  return [
    'global',
    '    nbthread 1',
    '    maxconn 8000',
    ...(syslog !== null ? [`    log 127.0.0.1:${syslog} local2`] : []),
    'defaults',
    '    mode http',
    ...(syslog !== null ? ['    log global', '    option httplog'] : []),
    '    option http-keep-alive',
    '    timeout connect 10s',
    '    timeout client 1m',
    '    timeout server 1m',
    '    timeout http-keep-alive 10s',
    'frontend proxy',
    `    bind 127.0.0.1:${port}`,
    '    default_backend dynamic',
    'backend dynamic',
    `    server web1 127.0.0.1:${backend}`,
    '',
  ].join('\n');
}

const pin = (pid: number, cpu: number) => {
  try {
    execFileSync('taskset', ['-cp', String(cpu), String(pid)], { stdio: 'ignore' });
  } catch {
    // taskset missing or not allowed: run unpinned
  }
};

async function wrkPinned(url: string, conns: number, seconds: number): Promise<WrkResult> {
  const out = await run(
    'taskset',
    ['-c', '1', 'wrk', '-t1', `-c${conns}`, `-d${seconds}s`, '--latency', url],
    (seconds + 30) * 1000,
  );
  return parseWrk(out);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '5' },
      rounds: { type: 'string', default: '2' },
      conns: { type: 'string', default: '50' },
    },
  });
  const seconds = Math.min(30, Math.max(1, Number(values.seconds)));
  const rounds = Math.min(5, Math.max(1, Number(values.rounds)));
  const conns = Math.min(500, Math.max(1, Number(values.conns)));
  if (!haproxyPath()) throw new Error('haproxy not found');
  installSignalCleanup();
  pin(process.pid, 1);
  let received = 0;
  const sock = dgram.createSocket('udp4');
  sock.on('message', () => received++);
  await new Promise<void>((ok) => sock.bind(0, '127.0.0.1', () => ok()));
  const syslog = sock.address().port;
  const {
    ports: [backend],
  } = await startNginxBackends(1);
  console.log(
    `nginx on ${backend}; wrk -t1 -c${conns} -d${seconds}s (CPU 1), proxy on CPU 0; ${rounds} round(s)`,
  );
  const res: Record<string, { rps: number[]; perReq: number[]; cpu: number[] }> = {};
  for (let r = 0; r < rounds; r++) {
    for (const logging of [false, true]) {
      for (const kind of ['haproxy', 'balancer'] as ProxyKind[]) {
        const key = `${kind} httplog ${logging ? 'on' : 'off'}`;
        res[key] ??= { rps: [], perReq: [], cpu: [] };
        const port = await freePort();
        const proxy = await startProxyFor(kind, config(port, backend, logging ? syslog : null), port);
        try {
          pin(proxy.pid, 0);
          await wrkPinned(`http://127.0.0.1:${port}/`, conns, 2); // warm-up
          await new Promise((ok) => setTimeout(ok, 300));
          const before = received;
          const cpu0 = cpuMicros(proxy.pid);
          const w = await wrkPinned(`http://127.0.0.1:${port}/`, conns, seconds);
          const cpu = (cpuMicros(proxy.pid) - cpu0) / (w.rps * seconds);
          await new Promise((ok) => setTimeout(ok, 300)); // the last datagrams
          const lines = received - before;
          const requests = w.rps * seconds;
          res[key].rps.push(w.rps);
          res[key].perReq.push(lines / requests);
          res[key].cpu.push(cpu);
          console.log(
            `  round ${r + 1} ${key.padEnd(22)} ${w.rps.toFixed(0).padStart(7)} req/s  ${cpu.toFixed(1)} µs CPU/req  p99 ${w.p99ms.toFixed(2)} ms  log lines/request ${(lines / requests).toFixed(3)}${w.errors ? `  (${w.errors})` : ''}`,
          );
        } finally {
          await proxy.stop(5000);
        }
      }
    }
  }
  console.log('\n                        req/s (median)  CPU µs/request  log lines/request');
  for (const [k, v] of Object.entries(res))
    console.log(
      `${k.padEnd(24)}${median(v.rps).toFixed(0).padStart(14)}  ${median(v.cpu).toFixed(1).padStart(14)}  ${median(v.perReq).toFixed(3).padStart(17)}`,
    );
  for (const kind of ['haproxy', 'balancer']) {
    const off = res[`${kind} httplog off`];
    const on = res[`${kind} httplog on`];
    console.log(
      `${kind}: httplog adds ${(median(on.cpu) - median(off.cpu)).toFixed(1)} µs CPU per request (${(100 * (median(on.cpu) / median(off.cpu) - 1)).toFixed(0)}%); req/s on/off ${(median(on.rps) / median(off.rps)).toFixed(2)}`,
    );
  }
  sock.close();
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => stopAll());

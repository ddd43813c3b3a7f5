/**
 * Reloads under a running wrk load, HAProxy 2.6 (master-worker, `-W`, SIGUSR2 to the master) and the
 * balancer (SIGUSR2) side by side on the same configuration: 10 reloads during one wrk run, every
 * second one changing the configuration (s1's weight, and from the 6th on an extra backend and
 * listener); prints wrk's socket errors and non-2xx count for each. Proxy pinned to CPU 0, wrk to
 * CPU 1 (taskset), two nginx backends.
 *
 *   node bench/reload-under-load.ts [--seconds 8] [--conns 20] [--reloads 10]
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BALANCER_BIN, makeTempDir, which } from '../packages/balancer/test/support/env.ts';
import { freePorts, waitForPort } from '../packages/balancer/test/support/ports.ts';
import {
  type Managed,
  spawnManaged,
  withPrivateHealthSocket,
} from '../packages/balancer/test/support/proc.ts';
import { installSignalCleanup, own, run, startNginxBackends, stopAll } from './lib/bench-procs.ts';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const SECONDS = arg('seconds', 8);
const CONNS = arg('conns', 20);
const RELOADS = arg('reloads', 10);

function config(o: {
  port: number;
  extraPort: number;
  backends: number[];
  w1: number;
  extra: boolean;
}): string {
  return [
    'global',
    '    nbthread 1',
    '    hard-stop-after 5s',
    'defaults',
    '    mode http',
    '    option http-keep-alive',
    '    timeout connect 2s',
    '    timeout client 10s',
    '    timeout server 10s',
    '    timeout http-keep-alive 5s',
    'frontend web',
    `    bind 127.0.0.1:${o.port}`,
    o.extra ? `    bind 127.0.0.1:${o.extraPort}` : '',
    '    default_backend app',
    'backend app',
    `    server s1 127.0.0.1:${o.backends[0]} weight ${o.w1}`,
    `    server s2 127.0.0.1:${o.backends[1]}`,
    o.extra ? `backend other\n    server s3 127.0.0.1:${o.backends[1]}` : '',
    '',
  ].join('\n');
}

type Kind = 'haproxy' | 'balancer';

async function runOne(kind: Kind, backends: number[]) {
  const [port, extraPort] = await freePorts(2);
  const tmp = makeTempDir(`reload-${kind}`);
  const cfg = join(tmp.dir, 'haproxy.cfg');
  const write = (w1: number, extra: boolean) => {
    const text = config({ port: port!, extraPort: extraPort!, backends, w1, extra });
    writeFileSync(
      cfg,
      kind === 'balancer' ? withPrivateHealthSocket(text, join(tmp.dir, 'health.sock')) : text,
    );
  };
  write(1, false);
  const argv =
    kind === 'haproxy'
      ? ['-c', '0', which('haproxy')!, '-W', '-db', '-f', cfg]
      : ['-c', '0', process.execPath, BALANCER_BIN, '-f', cfg];
  const proc: Managed = own(spawnManaged('taskset', argv, tmp.dir, { ulimitNofile: 65535 }));
  await waitForPort(port!, { alive: proc.alive, timeoutMs: 15_000 });
  const load = run(
    'taskset',
    ['-c', '1', 'wrk', '-t1', `-c${CONNS}`, `-d${SECONDS}s`, `http://127.0.0.1:${port}/`],
    (SECONDS + 30) * 1000,
  );
  // reloads spread over the middle of the run
  const step = ((SECONDS - 2) * 1000) / RELOADS;
  await new Promise((r) => setTimeout(r, 1000));
  for (let i = 0; i < RELOADS; i++) {
    if (i % 2 === 1) write(1 + i, i >= 5);
    else write(1, false);
    proc.child.kill('SIGUSR2');
    await new Promise((r) => setTimeout(r, step));
  }
  const out = await load;
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = socketErrors ? socketErrors.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0);
  const applied =
    kind === 'balancer' ? (proc.output().match(/new configuration applied/g) ?? []).length : Number.NaN;
  await proc.stop(6000);
  tmp.remove();
  return { kind, requests, rps, errors, detail: socketErrors?.[0] ?? 'Socket errors: none', non2xx, applied };
}

installSignalCleanup();
try {
  if (!which('wrk') || !which('haproxy') || !which('nginx')) throw new Error('needs wrk, haproxy and nginx');
  const { ports } = await startNginxBackends(2);
  console.log(`wrk -t1 -c${CONNS} -d${SECONDS}s, ${RELOADS} reloads (every second one changes the config)`);
  for (const kind of ['haproxy', 'balancer'] as const) {
    const r = await runOne(kind, ports);
    console.log(
      `${kind.padEnd(9)} requests ${String(r.requests).padStart(7)}  req/s ${r.rps.toFixed(0).padStart(6)}  ` +
        `socket errors ${r.errors} (${r.detail})  non-2xx ${r.non2xx}` +
        (kind === 'balancer' ? `  reloads applied ${r.applied}/${RELOADS}` : ''),
    );
  }
} finally {
  await stopAll();
}

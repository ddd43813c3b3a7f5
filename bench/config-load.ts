/**
 * How long `-c` takes on large generated configurations, HAProxy 2.6 and the balancer side by side in
 * one run: N lines of one keyword in `global`, and a ~10 MB file of 122 000 small backends (the shape
 * of a generated multi-tenant configuration, where reload time matters). Prints wall time and peak RSS
 * (GNU time's %M) per file and proxy. A script, not a test: it asserts nothing.
 *
 *   node bench/config-load.ts [--backends 122000] [--lines 5000,10000,20000,40000] [--rounds 1]
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT, TOOL_PATH } from '../packages/balancer/test/support/env.ts';

const { values } = parseArgs({
  options: {
    backends: { type: 'string', default: '122000' },
    lines: { type: 'string', default: '5000,10000,20000,40000' },
    rounds: { type: 'string', default: '1' },
  },
});
const BACKENDS = Number(values.backends);
const LINES = values.lines.split(',').map(Number);
const ROUNDS = Number(values.rounds);
const TIMEOUT_MS = 600_000;

const TAIL = [
  'defaults',
  '    mode http',
  '    timeout client 5s',
  '    timeout server 5s',
  '    timeout connect 1s',
  'frontend f',
  '    bind 127.0.0.1:18080',
  '    default_backend be0',
  '',
].join('\n');

/** N lines of one keyword in `global` (the keywords a generated file repeats: log targets, env, sockets). */
function globalFile(keyword: (i: number) => string, n: number): string {
  const out: string[] = ['global'];
  for (let i = 0; i < n; i++) out.push(`    ${keyword(i)}`);
  return `${out.join('\n')}\n${TAIL}backend be0\n    server s 127.0.0.1:8080\n`;
}

/** Many small backends, each with two servers with the usual options, as a generator writes them. */
function backendsFile(n: number): string {
  const out: string[] = ['global', '    maxconn 1000', TAIL];
  for (let i = 0; i < n; i++) {
    const a = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    out.push(
      `backend be${i}`,
      '    balance roundrobin',
      `    server s${i}a ${a}:8080 weight 10`,
      `    server s${i}b ${a}:8081 weight 10 backup`,
    );
  }
  return `${out.join('\n')}\n`;
}

type Run = { seconds: number; maxRssMb: number; exit: number; err: string };

function timed(cmd: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      '/usr/bin/time',
      ['-f', '%e %M', cmd, ...args],
      { env: { ...process.env, PATH: TOOL_PATH }, timeout: TIMEOUT_MS, maxBuffer: 64 << 20 },
      (err, _stdout, stderr) => {
        const lines = stderr.trim().split('\n');
        const [secs, kb] = (lines.at(-1) ?? '').split(' ').map(Number);
        const exit = err ? ((err as { code?: number }).code ?? 1) : 0;
        resolve({
          seconds: secs,
          maxRssMb: kb / 1024,
          exit: typeof exit === 'number' ? exit : 1,
          err: lines.slice(0, -1).join('\n').slice(0, 300),
        });
      },
    );
  });
}

const BALANCER = join(REPO_ROOT, 'packages/balancer/bin/balancer');
const dir = mkdtempSync(join(tmpdir(), 'config-load-'));
try {
  const files: { name: string; path: string }[] = [];
  const write = (name: string, text: string) => {
    const path = join(dir, `${name.replace(/[^a-z0-9]+/gi, '-')}.cfg`);
    writeFileSync(path, text);
    files.push({ name, path });
  };
  for (const n of LINES) {
    write(
      `global: ${n} × log`,
      globalFile(() => 'log 127.0.0.1:514 local0', n),
    );
    write(
      `global: ${n} × setenv`,
      globalFile((i) => `setenv VAR${i} value${i}`, n),
    );
    write(
      `global: ${n} × stats socket`,
      globalFile((i) => `stats socket /run/lb-bench-${i}.sock`, n),
    );
  }
  write(`${BACKENDS} backends`, backendsFile(BACKENDS));

  console.log(`# -c -q on each file, ${ROUNDS} round(s), best time shown; node ${process.version}`);
  console.log(
    `${'file'.padEnd(30)} ${'size'.padStart(8)}  ${'haproxy s'.padStart(9)} ${'MB'.padStart(6)}  ${'balancer s'.padStart(10)} ${'MB'.padStart(6)}  ratio`,
  );
  for (const f of files) {
    const best = { haproxy: null as Run | null, balancer: null as Run | null };
    for (let r = 0; r < ROUNDS; r++) {
      for (const kind of ['haproxy', 'balancer'] as const) {
        const run = await timed(kind === 'haproxy' ? 'haproxy' : BALANCER, ['-c', '-q', '-f', f.path]);
        if (run.exit !== 0) console.log(`#   ${kind} exit ${run.exit} on ${f.name}: ${run.err}`);
        if (!best[kind] || run.seconds < (best[kind]?.seconds ?? Infinity)) best[kind] = run;
      }
    }
    const h = best.haproxy as Run;
    const b = best.balancer as Run;
    const mb = statSync(f.path).size / 1e6;
    console.log(
      `${f.name.padEnd(30)} ${`${mb.toFixed(1)} MB`.padStart(8)}  ${h.seconds.toFixed(2).padStart(9)} ${h.maxRssMb.toFixed(0).padStart(6)}  ${b.seconds.toFixed(2).padStart(10)} ${b.maxRssMb.toFixed(0).padStart(6)}  ${(b.seconds / h.seconds).toFixed(2)}×`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

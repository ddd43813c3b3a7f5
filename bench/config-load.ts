/**
 * How long `-c` takes on large generated configurations, HAProxy 2.6 and the balancer side by side in
 * one run: N lines of one keyword in `global` (5k, 10k, 20k: a loader that is linear takes about twice
 * as long for twice the lines), and a ~10 MB file of 122 000 small backends (the shape of a generated
 * multi-tenant configuration, where reload time matters). Prints wall time, CPU time (user + system:
 * steadier than wall on a shared machine) and peak RSS (GNU time's %M) per file and proxy, alternating
 * the two proxies. A script, not a test: it asserts nothing. Every run is bounded (TIMEOUT_MS).
 *
 *   node bench/config-load.ts [--backends 1000,12000,122000] [--lines 5000,10000,20000] [--rounds 1]
 *                             [--cpu-prof] [--balancer OTHER_CHECKOUT/packages/balancer/bin/balancer]
 *                             [--baseline OTHER_CHECKOUT/packages/balancer/bin/balancer]
 *
 * --baseline: a third column, another checkout's balancer (e.g. main before a change), in the same run.
 *
 * --cpu-prof: one more balancer run on the largest backends file under `node --cpu-prof`, then the top
 * functions by self time (bench/results/cpuprof-config-load-<ts>/).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT, TOOL_PATH } from '../packages/balancer/test/support/env.ts';
import { topSelfTime } from './lib/cpu-profile.ts';

const { values } = parseArgs({
  options: {
    backends: { type: 'string', default: '1000,12000,122000' },
    lines: { type: 'string', default: '5000,10000,20000' },
    rounds: { type: 'string', default: '1' },
    'cpu-prof': { type: 'boolean', default: false },
    /** Another checkout's bin (e.g. a worktree of main), to compare revisions in one run. */
    balancer: { type: 'string' },
    baseline: { type: 'string' },
  },
});
const BACKENDS = values.backends.split(',').map(Number);
const LINES = values.lines.split(',').map(Number);
const ROUNDS = Math.max(1, Number(values.rounds));
const TIMEOUT_MS = 300_000;

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

/** Many small backends of two servers each, as a generator writes them: ~86 bytes a backend. */
function backendsFile(n: number): string {
  const out: string[] = ['global', '    maxconn 1000', TAIL];
  for (let i = 0; i < n; i++) {
    const a = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    out.push(`backend be${i}`, `    server a ${a}:80 weight 10`, `    server b ${a}:80 backup`);
  }
  return `${out.join('\n')}\n`;
}

type Run = { seconds: number; cpu: number; maxRssMb: number; exit: number; err: string };

function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      '/usr/bin/time',
      ['-f', '%e %U %S %M', cmd, ...args],
      { env: { ...process.env, ...env, PATH: TOOL_PATH }, timeout: TIMEOUT_MS, maxBuffer: 64 << 20 },
      (err, _stdout, stderr) => {
        const lines = stderr.trim().split('\n');
        const [secs, user, sys, kb] = (lines.at(-1) ?? '').split(' ').map(Number);
        const code = err ? (err as { code?: unknown }).code : 0;
        resolve({
          seconds: secs,
          cpu: user + sys,
          maxRssMb: kb / 1024,
          exit: typeof code === 'number' ? code : 1,
          err: lines.slice(0, -1).join('\n').slice(0, 300),
        });
      },
    );
  });
}

const BALANCER = values.balancer ?? join(REPO_ROOT, 'packages/balancer/bin/balancer');
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
      `global: ${n} × setenv`,
      globalFile((i) => `setenv VAR${i} value${i}`, n),
    );
    write(
      `global: ${n} × log`,
      globalFile(() => 'log 127.0.0.1:514 local0', n),
    );
    write(
      `global: ${n} × stats socket`,
      globalFile((i) => `stats socket /run/lb-bench-${i}.sock`, n),
    );
  }
  for (const n of BACKENDS) write(`${n} backends`, backendsFile(n));
  const backends = `${Math.max(...BACKENDS)} backends`;

  console.log(`# -c -q on each file, ${ROUNDS} round(s), best wall time shown; node ${process.version}`);
  const head = [
    'file'.padEnd(30),
    'size'.padStart(8),
    'haproxy s'.padStart(10),
    'cpu s'.padStart(6),
    'MB'.padStart(6),
    'balancer s'.padStart(11),
    'cpu s'.padStart(6),
    'MB'.padStart(6),
    ' B/H',
  ];
  if (values.baseline) head.push('baseline s'.padStart(11), 'cpu s'.padStart(6), 'MB'.padStart(6), ' base/H');
  console.log(head.join(' '));
  const commands = {
    haproxy: 'haproxy',
    balancer: BALANCER,
    ...(values.baseline ? { baseline: values.baseline } : {}),
  } as Record<string, string>;
  for (const f of files) {
    const best: Record<string, Run | null> = {};
    for (let r = 0; r < ROUNDS; r++) {
      for (const [kind, cmd] of Object.entries(commands)) {
        const run = await timed(cmd, ['-c', '-q', '-f', f.path]);
        if (run.exit !== 0) console.log(`#   ${kind} exit ${run.exit} on ${f.name}: ${run.err}`);
        if (!best[kind] || run.seconds < (best[kind]?.seconds ?? Infinity)) best[kind] = run;
      }
    }
    const h = best.haproxy as Run;
    const cols = (x: Run) => [
      x.seconds.toFixed(2).padStart(11),
      x.cpu.toFixed(2).padStart(6),
      x.maxRssMb.toFixed(0).padStart(6),
      ` ${(x.seconds / h.seconds).toFixed(2)}×`,
    ];
    const mb = statSync(f.path).size / 1e6;
    console.log(
      [
        f.name.padEnd(30),
        `${mb.toFixed(1)} MB`.padStart(8),
        h.seconds.toFixed(2).padStart(10),
        h.cpu.toFixed(2).padStart(6),
        h.maxRssMb.toFixed(0).padStart(6),
        ...cols(best.balancer as Run),
        ...(best.baseline ? cols(best.baseline) : []),
      ].join(' '),
    );
  }

  if (values['cpu-prof']) {
    const profDir = join(REPO_ROOT, `bench/results/cpuprof-config-load-${Date.now()}`);
    mkdirSync(profDir, { recursive: true });
    const backendsPath = files.find((f) => f.name === backends)?.path as string;
    await timed(BALANCER, ['-c', '-q', '-f', backendsPath], {
      NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profDir}`,
    });
    const prof = readdirSync(profDir).find((n) => n.endsWith('.cpuprofile'));
    if (prof === undefined) console.log(`# no .cpuprofile written in ${profDir}`);
    else {
      const { total, rows } = topSelfTime(join(profDir, prof), 20);
      console.log(
        `\n# balancer -c on ${backends}: top 20 by self time of ${(total / 1000).toFixed(2)} s (${profDir})`,
      );
      for (const r of rows)
        console.log(
          `${r.pct.toFixed(1).padStart(5)} %  ${r.ms.toFixed(0).padStart(6)} ms  ${r.name}  ${r.where}`,
        );
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Where the CPU time of one request goes, HAProxy and the balancer side by side, on one workload of
 * http-vs-haproxy.ts (default (e), the seed). Each proxy is started, warmed up with wrk, then observed
 * over one wrk run; counts are divided by the requests wrk completed. The proxy is pinned to CPU 0,
 * wrk and nginx to CPU 1. Three ways to look (one per run):
 *
 *   node bench/syscalls-per-request.ts [--workload e] [--seconds 3] [--conns 50] [--deferred]
 *        [--perf | --profile]
 *
 * - default: `strace -c` on all the proxy's threads: system calls per request. strace slows the proxy
 *   down a lot: read the counts, not the rates or times.
 * - --perf: `perf stat` software events per request (context switches, page faults, CPU migrations).
 * - --profile: `perf record -g` (kernel and user), summarised as µs per request: the proxy's CPU time
 *   (from /proc over the recorded window) split by the profile's shares — kernel time by system call,
 *   the part spent waking the other side's processes (nginx, wrk), page faults; user time by binary.
 *   Needs perf allowed to sample the kernel (root, or perf_event_paranoid ≤ 1).
 *
 * Every mode also prints the nginx processes' voluntary context switches per request (how often a
 * request made nginx sleep and be woken again), from /proc.
 * --deferred: nginx listens with `deferred` (TCP_DEFER_ACCEPT), for analysis: nginx is then woken when
 * a connection's first bytes arrive instead of at its handshake.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { freePort } from '../packages/balancer/test/support/ports.ts';
import { benchConfig, type Workload } from './http-vs-haproxy.ts';
import {
  installSignalCleanup,
  pin,
  RESULTS_DIR,
  run,
  startNginxBackends,
  startProxyFor,
  stopAll,
} from './lib/bench-procs.ts';
import { cpuMicros } from './lib/proc-cpu.ts';
import { wrk } from './lib/wrk.ts';

const { values } = parseArgs({
  options: {
    workload: { type: 'string', default: 'e' },
    seconds: { type: 'string', default: '3' },
    conns: { type: 'string', default: '50' },
    perf: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    deferred: { type: 'boolean', default: false },
  },
});
const w = values.workload as Workload;
if (!'abcde'.includes(w) || w.length !== 1) throw new Error('--workload: one of a, b, c, d, e');
const seconds = Math.min(30, Math.max(1, Number(values.seconds)));
const conns = Math.min(1000, Math.max(1, Number(values.conns)));
const mode = values.profile ? 'profile' : values.perf ? 'perf' : 'strace';

/** strace -c's table: syscall → calls. */
function parseStraceSummary(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    // % time, seconds, usecs/call, calls, [errors], syscall
    if (f.length < 5 || !/^\d/.test(f[0]) || f[f.length - 1] === 'total') continue;
    out.set(f[f.length - 1], Number(f[3]));
  }
  return out;
}

const PERF_EVENTS = 'context-switches,page-faults,cpu-migrations';

/** perf stat's lines: event → count. */
function parsePerfStat(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^\s*([\d.,]+)\s+([a-z-]+)/.exec(line);
    if (m) out.set(m[2], Number(m[1].replace(/,/g, '')));
  }
  return out;
}

/** Kernel entry points whose inclusive share --profile reports, and the label they get. */
const KERNEL_ROWS: [RegExp, string][] = [
  [/^__x64_sys_connect$/, 'connect'],
  [/^(__x64_sys_write|ksys_write|__x64_sys_sendto)$/, 'write / sendto'],
  [/^(__x64_sys_read|ksys_read|__x64_sys_recvfrom)$/, 'read / recvfrom'],
  [/^__x64_sys_close$/, 'close'],
  [/^__x64_sys_socket$/, 'socket'],
  [/^(__x64_sys_epoll_wait|__x64_sys_epoll_pwait|__x64_sys_epoll_ctl)$/, 'epoll_*'],
  [/^(__do_sys_io_uring_enter|__x64_sys_io_uring_enter)$/, 'io_uring_enter (libuv epoll_ctl)'],
  [
    /^(__x64_sys_setsockopt|__x64_sys_getsockopt|__x64_sys_getsockname|__x64_sys_fcntl)$/,
    'sockopt / getsockname / fcntl',
  ],
  [
    /^(__x64_sys_futex|__x64_sys_madvise|__x64_sys_mmap|__x64_sys_munmap|__x64_sys_mprotect)$/,
    'futex / mmap / madvise',
  ],
  [/^asm_exc_page_fault$/, 'page faults'],
  [/^sock_def_readable$/, '  of which waking the peer (nginx, wrk)'],
];

/** `perf report` → the µs/request rows of --profile, scaled from shares to the measured CPU time. */
async function profileRows(file: string, cpuUsPerReq: number): Promise<Map<string, number>> {
  const rows = new Map<string, number>();
  const children = await run(
    'perf',
    ['report', '-i', file, '--children', '--sort', 'sym', '-g', 'none', '--stdio'],
    120_000,
  );
  for (const line of children.split('\n')) {
    const m = /^\s*([\d.]+)%\s+([\d.]+)%\s+\[k\]\s+(\S+)/.exec(line);
    if (!m) continue;
    for (const [re, label] of KERNEL_ROWS)
      if (re.test(m[3])) rows.set(label, (rows.get(label) ?? 0) + (Number(m[1]) * cpuUsPerReq) / 100);
  }
  const dsos = await run(
    'perf',
    ['report', '-i', file, '--no-children', '--sort', 'comm,dso', '-g', 'none', '--stdio'],
    120_000,
  );
  let kernel = 0;
  for (const line of dsos.split('\n')) {
    const m = /^\s*([\d.]+)%\s+(\S+)\s+(.+?)\s*$/.exec(line);
    if (!m) continue;
    const us = (Number(m[1]) * cpuUsPerReq) / 100;
    const dso = m[3];
    const label = dso.startsWith('[kernel')
      ? null
      : m[2] !== 'MainThread' && m[2] !== 'haproxy'
        ? 'user: other threads (V8 GC, compiler)'
        : dso.startsWith('[JIT]')
          ? 'user: JIT-compiled JavaScript'
          : /^(haproxy|node)$/.test(dso)
            ? `user: ${dso} binary`
            : 'user: libc and others';
    if (label === null) kernel += us;
    else rows.set(label, (rows.get(label) ?? 0) + us);
  }
  rows.set('kernel (system time)', kernel);
  return rows;
}

function attach(pid: number, file: string): { child: ChildProcess; done: Promise<string> } {
  const tids = readdirSync(`/proc/${pid}/task`);
  const [cmd, args] =
    mode === 'profile'
      ? ['perf', ['record', '-e', 'cpu-clock', '-F', '2000', '-g', '-o', file, '-p', String(pid)]]
      : mode === 'perf'
        ? ['perf', ['stat', '-e', PERF_EVENTS, '-p', tids.join(',')]]
        : ['strace', ['-c', '-f', ...tids.flatMap((t) => ['-p', t])]];
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (d) => {
    err += d;
  });
  const done = new Promise<string>((ok) => child.on('close', () => ok(err)));
  return { child, done };
}

/** Voluntary context switches of a process so far (all its threads). */
function voluntarySwitches(pid: number): number {
  let n = 0;
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    const s = readFileSync(`/proc/${pid}/task/${t}/status`, 'utf8');
    n += Number(/\nvoluntary_ctxt_switches:\s+(\d+)/.exec(s)?.[1] ?? 0);
  }
  return n;
}

installSignalCleanup();
try {
  const { ports: backends, procs } = await startNginxBackends(2, { deferredAccept: values.deferred });
  for (const p of procs) pin(p.pid, 1);
  const nginxSwitches = (): number => procs.reduce((a, p) => a + voluntarySwitches(p.pid), 0);
  const per: Record<string, Map<string, number>> = {};
  for (const kind of ['haproxy', 'balancer'] as const) {
    const port = await freePort();
    const proxy = await startProxyFor(kind, benchConfig(w, port, backends), port, { cpu: 0 });
    try {
      await wrk(`http://127.0.0.1:${port}/`, { threads: 1, conns, seconds: 2, cpu: 1 });
      const file = `${RESULTS_DIR}/perf-${kind}-${w}-${Date.now()}.data`;
      const st = attach(proxy.pid, file);
      await new Promise((r) => setTimeout(r, 500)); // attached
      const cpu0 = cpuMicros(proxy.pid);
      const sw0 = nginxSwitches();
      const res = await wrk(`http://127.0.0.1:${port}/`, { threads: 1, conns, seconds, cpu: 1 });
      const n = res.rps * seconds;
      const cpuUs = (cpuMicros(proxy.pid) - cpu0) / n;
      const nginxSw = (nginxSwitches() - sw0) / n;
      st.child.kill('SIGINT');
      const out = await st.done;
      const counts =
        mode === 'profile'
          ? await profileRows(file, cpuUs)
          : new Map(
              [...(mode === 'perf' ? parsePerfStat(out) : parseStraceSummary(out))].map(([k, v]) => [
                k,
                v / n,
              ]),
            );
      counts.set('nginx voluntary switches', nginxSw);
      if (mode === 'profile') counts.set('total CPU µs (/proc)', cpuUs);
      per[kind] = counts;
      console.log(`${kind}: ${n.toFixed(0)} requests (${res.rps.toFixed(0)} req/s) under ${mode}`);
    } finally {
      await proxy.stop(5000);
    }
  }
  const names = [...new Set([...per.haproxy.keys(), ...per.balancer.keys()])];
  if (mode !== 'profile') names.sort((a, b) => (per.balancer.get(b) ?? 0) - (per.balancer.get(a) ?? 0));
  const unit = mode === 'profile' ? 'µs of CPU' : mode === 'perf' ? 'events' : 'system calls';
  console.log(`\nworkload (${w})${values.deferred ? ', nginx deferred accept' : ''}: ${unit} per request`);
  console.log(`${''.padEnd(40)} ${'haproxy'.padStart(8)} ${'balancer'.padStart(9)}`);
  for (const s of names) {
    const h = per.haproxy.get(s) ?? 0;
    const b = per.balancer.get(s) ?? 0;
    if (h < 0.01 && b < 0.01) continue;
    console.log(`${s.padEnd(40)} ${h.toFixed(2).padStart(8)} ${b.toFixed(2).padStart(9)}`);
  }
} finally {
  await stopAll();
}

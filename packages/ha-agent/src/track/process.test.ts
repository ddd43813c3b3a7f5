// vrrp_track_process against real processes: copies of /bin/sleep and /bin/sh under names no other
// process on the machine has (the name is what keepalived matches), counted from the real /proc.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '../../test/support/wait-for.ts';
import { ProcessTracker, type ProcessTrackerOptions } from './process.ts';
import { processMatches } from './process-match.ts';
import { type ProcessInfo, ProcessTable, parseProcStat } from './process-table.ts';
import { runTrackerSuite } from './tracker.case.ts';

let dir: string;
let n = 0;
const children = new Set<ChildProcess>();
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'ha-track-proc-'));
});
after(() => {
  for (const c of children) killGroup(c);
  rmSync(dir, { recursive: true, force: true });
});

/** Each test program runs in a process group of its own, so its forks go with it. */
function killGroup(c: ChildProcess): void {
  try {
    process.kill(-(c.pid as number), 'SIGKILL');
  } catch {}
}

/** A program only these tests run: /bin/sleep (or /bin/sh) copied under a fresh ≤ 15-character name. */
function program(of = '/bin/sleep'): { name: string; path: string } {
  const name = `hatk${process.pid % 100000}x${n++}`.slice(0, 15);
  const path = join(dir, name);
  copyFileSync(of, path);
  return { name, path };
}

function run(path: string, args: string[] = ['300']): ChildProcess {
  const c = spawn(path, args, { stdio: 'ignore', detached: true });
  children.add(c);
  c.on('exit', () => children.delete(c));
  return c;
}

async function kill(c: ChildProcess): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return;
  const gone = new Promise((r) => c.once('exit', r));
  killGroup(c);
  await gone;
}

const table = new ProcessTable({ intervalMs: 20 });

runTrackerSuite({
  kind: 'process',
  rise: false,
  fall: false,
  async make(o) {
    const prog = program();
    let child: ChildProcess | null = o.healthy ? run(prog.path) : null;
    const tracker = new ProcessTracker({
      name: o.name,
      table,
      process: prog.name,
      params: [],
      paramMatch: 'none',
      fullCommand: false,
      weight: o.weight,
      reverse: o.reverse,
    });
    return {
      tracker,
      async setHealthy(ok) {
        if (ok && !child) child = run(prog.path);
        if (!ok && child) {
          await kill(child);
          child = null;
        }
      },
      async cleanup() {
        if (child) await kill(child);
      },
    };
  },
});

describe('which processes count (keepalived 2.2.7 matching)', () => {
  const p = (comm: string, cmdline: string[] | null): ProcessInfo => ({ pid: 1, ppid: 0, comm, cmdline });
  const by = (over: Partial<Parameters<typeof processMatches>[0]>) => ({
    process: 'haproxy',
    params: [],
    paramMatch: 'none' as const,
    fullCommand: false,
    ...over,
  });

  it('by name: /proc/PID/comm, exactly (no pgrep-style substring)', () => {
    assert.equal(processMatches(by({}), p('haproxy', null)), true);
    assert.equal(processMatches(by({}), p('haproxy-wrap', null)), false);
    assert.equal(processMatches(by({ process: 'hap' }), p('haproxy', null)), false);
  });

  it('by command line: argv[0], then the parameters exact / partial / initial', () => {
    const cmd = ['/usr/sbin/haproxy', '-Ws', '-f', '/etc/haproxy/haproxy.cfg'];
    const full = (params: string[], paramMatch: 'none' | 'exact' | 'partial' | 'initial') =>
      processMatches(
        by({ process: '/usr/sbin/haproxy', fullCommand: true, params, paramMatch }),
        p('haproxy', cmd),
      );
    assert.equal(full([], 'none'), true, 'full_command alone: argv[0] only');
    assert.equal(processMatches(by({ fullCommand: true }), p('haproxy', cmd)), false, 'argv[0] is the path');
    assert.equal(full(['-Ws', '-f', '/etc/haproxy/haproxy.cfg'], 'exact'), true);
    assert.equal(full(['-Ws', '-f'], 'exact'), false);
    assert.equal(full([], 'exact'), false, 'param_match with no parameters: none allowed');
    assert.equal(full(['-Ws', '-f'], 'partial'), true);
    assert.equal(full(['-Ws', '-f', '/etc/haproxy/haproxy'], 'partial'), false);
    assert.equal(full(['-Ws', '-f', '/etc/haproxy/haproxy'], 'initial'), true);
    assert.equal(full(['-W', '-f'], 'initial'), false);
  });

  it('reads /proc/PID/stat even when the name holds spaces and parentheses', () => {
    assert.deepEqual(parseProcStat('42 (a (b) c) S 7 42 42 0 -1'), { comm: 'a (b) c', state: 'S', ppid: 7 });
  });
});

describe('ProcessTracker quorum and delays on real processes', () => {
  const trackers: ProcessTracker[] = [];
  after(async () => {
    for (const t of trackers) await t.stop();
  });
  const track = (name: string, extra: Partial<ProcessTrackerOptions> = {}) => {
    const t = new ProcessTracker({
      name: 't',
      table,
      process: name,
      params: [],
      paramMatch: 'none',
      fullCommand: false,
      ...extra,
    });
    trackers.push(t);
    t.start();
    return t;
  };

  it('quorum 2, quorum_max 2: one is too few, three too many', async () => {
    const prog = program();
    const a = run(prog.path);
    const t = track(prog.name, { quorum: 2, quorumMax: 2 });
    await waitFor(() => t.pids.length === 1, 2000, 'one process seen');
    assert.equal(t.state.up, false);
    const b = run(prog.path);
    await waitFor(() => t.state.up, 2000, 'up with two');
    assert.match(t.state.reason, /^2 processes with name hatk.* \(quorum 2\.\.2\)$/);
    const c = run(prog.path);
    await waitFor(() => !t.state.up, 2000, 'down with three');
    await kill(c);
    await waitFor(() => t.state.up, 2000, 'up again with two');
    await Promise.all([kill(a), kill(b)]);
    await waitFor(() => !t.state.up, 2000, 'down with none');
  });

  it('full_command with parameters: only the process started with them counts', async () => {
    const prog = program();
    const t = track(prog.path, { fullCommand: true, params: ['300', '1'], paramMatch: 'exact' });
    const other = run(prog.path, ['300']);
    await waitFor(() => t.observed, 2000, 'a first scan');
    const mine = run(prog.path, ['300', '1']);
    await waitFor(() => t.state.up, 2000, 'up with the right command line');
    assert.deepEqual(t.pids, [mine.pid]);
    await Promise.all([kill(other), kill(mine)]);
  });

  it('terminate_delay: a restart within the delay never takes it down', async () => {
    const prog = program();
    const first = run(prog.path);
    const t = track(prog.name, { terminateDelay: 0.6 });
    await waitFor(() => t.state.up, 2000, 'up');
    const downs: number[] = [];
    t.on('change', (s) => {
      if (!s.up) downs.push(performance.now());
    });
    await kill(first);
    await waitFor(() => t.pids.length === 0, 2000, 'the exit seen');
    assert.equal(t.state.up, true, 'still up: terminate_delay running');
    const second = run(prog.path);
    await waitFor(() => t.pids.length === 1, 2000, 'the restart seen');
    const killedAt = performance.now();
    await kill(second);
    await waitFor(() => downs.length === 1, 3000, 'down once the delay ran out');
    assert.ok(downs[0] - killedAt >= 550, `down ${Math.round(downs[0] - killedAt)} ms after the exit`);
  });

  it('fork_delay: quorum reached by a tracked process forking waits; by a new start it does not', async () => {
    const sh = program('/bin/sh');
    const t = track(sh.name, { quorum: 2, forkDelay: 0.5 });
    // the shell forks a subshell (same name, parent = the first) after 0.3 s
    const parent = run(sh.path, ['-c', 'sleep 0.3; (while :; do sleep 1; done) & wait']);
    await waitFor(() => t.pids.length === 2, 3000, 'the forked child seen');
    const forkSeen = performance.now();
    assert.equal(t.state.up, false, 'fork_delay running');
    await waitFor(() => t.state.up, 3000, 'up after fork_delay');
    assert.ok(performance.now() - forkSeen >= 400, 'waited about fork_delay');
    await kill(parent);
  });
});

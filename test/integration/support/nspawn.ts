// A machine booted by the real systemd, for testing deploy/systemd's units as systemd runs them:
// systemd-nspawn (Debian package systemd-container) boots this host's own /usr (read-only) with a
// copy of its /etc, a private network namespace (only `lo` until the test adds interfaces) and the
// project checkout at /opt/ha-lb (read-only), where the units expect it. Services enabled on the host
// are not started in it. Commands run inside with nsenter; `stop()` powers it off and removes its root.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../../../packages/ha-agent/test/support/wait-for.ts';

export const hasNspawn = (): boolean =>
  spawnSync('systemd-nspawn', ['--version'], { stdio: 'ignore' }).status === 0;

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Machine {
  /** the container's root directory on the host (its /etc is a writable copy) */
  readonly root: string;
  /** the container's PID 1 (systemd), as seen from the host */
  readonly leader: number;
  /** runs a command inside (all of the container's namespaces) and returns what it printed */
  run(argv: string[], input?: string): Ran;
  /** like run, but throws with the output when it exits non-zero */
  ok(argv: string[], input?: string): string;
  /** `systemctl show UNIT -p PROP` → value */
  prop(unit: string, prop: string): string;
  /** writes a file inside the container (through the host side of its root) */
  write(path: string, text: string): void;
  /** the console output so far (systemd's boot messages) */
  console(): string;
  stop(): Promise<void>;
}

/** Boots a machine; resolves once systemd inside reached basic.target. */
export async function bootMachine(o: { project: string; name?: string }): Promise<Machine> {
  const root = mkdtempSync(join(tmpdir(), 'ha-lb-nspawn-'));
  chmodSync(root, 0o755); // it is the machine's `/`: every user must traverse it
  for (const d of ['usr/lib', 'etc', 'var', 'tmp', 'root', 'run', 'opt/ha-lb', 'dev', 'proc', 'sys', 'home'])
    mkdirSync(join(root, d), { recursive: true });
  for (const [link, to] of [
    ['bin', 'usr/bin'],
    ['sbin', 'usr/sbin'],
    ['lib', 'usr/lib'],
    ['lib64', 'usr/lib64'],
  ])
    symlinkSync(to, join(root, link));
  // nspawn looks for os-release before it mounts /usr over this directory
  cpSync('/usr/lib/os-release', join(root, 'usr/lib/os-release'));
  cpSync('/etc', join(root, 'etc'), { recursive: true, verbatimSymlinks: true });
  // its own id; an empty one would make this a "first boot", which enables every unit by preset
  writeFileSync(join(root, 'etc/machine-id'), `${randomBytes(16).toString('hex')}\n`);
  // nothing the host enabled (nginx, haproxy, keepalived, databases…) starts in the machine
  const etcUnits = join(root, 'etc/systemd/system');
  for (const d of ['multi-user.target.wants', 'graphical.target.wants'])
    rmSync(join(etcUnits, d), { recursive: true, force: true });
  // nor what the SysV links enable (systemd-sysv-generator turns /etc/rcN.d into wants)
  for (const n of ['0', '1', '2', '3', '4', '5', '6', 'S'])
    rmSync(join(root, `etc/rc${n}.d`), { recursive: true, force: true });
  rmSync(join(etcUnits, 'default.target'), { force: true });
  symlinkSync('/usr/lib/systemd/system/multi-user.target', join(etcUnits, 'default.target'));
  const name = o.name ?? `halb-${process.pid}`;
  // a git worktree's `.tools` is a symlink to the main checkout's (Node 24 is there): the same path inside
  const tools = join(o.project, '.tools');
  let toolsReal: string | null = null;
  try {
    if (lstatSync(tools).isSymbolicLink()) toolsReal = realpathSync(tools);
  } catch {}
  let out = '';
  const child: ChildProcess = spawn(
    'systemd-nspawn',
    [
      '-D',
      root,
      '--bind-ro=/usr',
      `--bind-ro=${o.project}:/opt/ha-lb`,
      ...(toolsReal ? [`--bind-ro=${toolsReal}:${toolsReal}`] : []),
      '--private-network',
      '--register=no',
      '--keep-unit',
      '--console=pipe',
      '-M',
      name,
      '-b',
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  let leader = 0;
  const run = (argv: string[], input?: string): Ran => {
    const r = spawnSync('nsenter', ['-t', String(leader), '-m', '-u', '-i', '-n', '-p', '--', ...argv], {
      encoding: 'utf8',
      input,
      timeout: 60_000,
    });
    return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  };
  const stop = async () => {
    if (!gone()) {
      if (leader) process.kill(leader, 38); // SIGRTMIN+4: systemd powers off
      const exited = new Promise((r) => child.once('exit', r));
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(t);
    }
    rmSync(root, { recursive: true, force: true });
  };
  process.once('exit', () => {
    if (!gone()) child.kill('SIGKILL');
  });
  try {
    await waitFor(
      () => {
        if (gone()) throw new Error(`systemd-nspawn exited:\n${out.slice(-3000)}`);
        const kids = spawnSync('pgrep', ['-P', String(child.pid)], { encoding: 'utf8' }).stdout.trim();
        leader = Number(kids.split('\n')[0]) || 0;
        if (!leader) return false;
        // basic.target is all the units need (D-Bus and logind may still be starting on a loaded host)
        return run(['systemctl', 'is-active', 'basic.target']).stdout.trim() === 'active';
      },
      90_000,
      'systemd in the machine reached basic.target',
      100,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  const ok = (argv: string[], input?: string): string => {
    const r = run(argv, input);
    if (r.code !== 0) throw new Error(`${argv.join(' ')} exited ${r.code}:\n${r.stdout}${r.stderr}`);
    return r.stdout;
  };
  return {
    root,
    leader,
    run,
    ok,
    prop: (unit, prop) => ok(['systemctl', 'show', unit, '-p', prop, '--value']).trim(),
    write(path, text) {
      const host = join(root, path);
      mkdirSync(join(host, '..'), { recursive: true });
      writeFileSync(host, text);
    },
    console: () => out,
    stop,
  };
}

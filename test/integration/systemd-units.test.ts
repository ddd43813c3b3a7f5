// deploy/systemd: the units are valid for systemd (systemd-analyze verify), their ExecStart= lines are
// the commands the integration scenarios run, the users and capabilities they grant are enough (the
// daemons run under setpriv with exactly the unit's user, capabilities and no_new_privs: the balancer
// binds :80 with CAP_NET_BIND_SERVICE alone, the agent takes, and gives up, the VIP with CAP_NET_ADMIN
// and CAP_NET_RAW alone), and balancer.socket's activation works (systemd-socket-activate passes the
// unit's ListenStream= sockets, the balancer serves them through `bind fd@3`/`fd@4`, and a connection
// made before the balancer started is served).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  accessSync,
  constants,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isRoot, stopProc } from '../../packages/ha-agent/test/support/netns.ts';
import { waitFor } from '../../packages/ha-agent/test/support/wait-for.ts';
import { useSeedTopology } from './support/scenario.ts';
import { agentConfig, balancerConfig, LAB, SEED } from './support/seed-configs.ts';
import {
  balancerPaths,
  fetchFromClient,
  startAgent,
  startBalancer,
  waitServing,
} from './support/services.ts';
import {
  capabilities,
  environment,
  execArgv,
  execStart,
  INSTALL_PREFIX,
  parseUnit,
  REPO_ROOT,
  readUnit,
  UNIT_DIR,
  unitCommands,
  value,
  values,
} from './support/systemd-unit.ts';

const UNITS = ['balancer.service', 'balancer.socket', 'ha-agent.service'];
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const NOBODY = { uid: 65534, gid: 65534 };

describe('reading unit files', () => {
  it('splits Exec lines as systemd does: quotes, prefixes, $VAR words, {VAR} inside words', () => {
    const env = { A: 'x y', B: '', C: '/etc/c.cfg' };
    // biome-ignore lint/suspicious/noTemplateCurlyInString: systemd's ${VAR}, not a template
    assert.deepEqual(execArgv('-/bin/cmd -f $C $A $B "two words" --x=${C} \'q\'', env), [
      '/bin/cmd',
      '-f',
      '/etc/c.cfg',
      'x',
      'y',
      'two words',
      '--x=/etc/c.cfg',
      'q',
    ]);
    const u = parseUnit('[Service]\nEnvironment="A=1" "B=two words"\nExecStart=/x \\\n  $B\n# c\n', 'u');
    assert.deepEqual(environment(u), { A: '1', B: 'two words' });
    assert.deepEqual(unitCommands(u, 'ExecStart'), [['/x', 'two', 'words']]);
  });
});

describe('deploy/systemd units', () => {
  it('systemd-analyze verify: no complaint about any unit (installed at the checkout)', {
    skip: !has('systemd-analyze') && 'systemd-analyze not installed (Debian package systemd)',
  }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'ha-lb-units-'));
    try {
      for (const u of UNITS) {
        const text = readFileSync(join(UNIT_DIR, u), 'utf8').replaceAll(INSTALL_PREFIX, REPO_ROOT);
        writeFileSync(join(dir, u), text);
      }
      const r = spawnSync('systemd-analyze', ['verify', ...UNITS.map((u) => join(dir, u))], {
        encoding: 'utf8',
      });
      assert.equal(r.status, 0, r.stderr);
      const ours = `${r.stdout}${r.stderr}`.split('\n').filter((l) => UNITS.some((u) => l.includes(u)));
      assert.deepEqual(ours, [], 'systemd-analyze said something about our units');
      for (const u of ['balancer.service', 'ha-agent.service']) {
        const sec = spawnSync('systemd-analyze', ['security', '--offline=yes', join(dir, u)], {
          encoding: 'utf8',
        });
        const level = /Overall exposure level for \S+: (.*)/.exec(sec.stdout)?.[1];
        if (level) console.log(`# systemd-analyze security ${u}: ${level}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the agent outlives the balancer: ordered after it, not bound to it; both restart, rate-limited', () => {
    const agent = readUnit('ha-agent.service');
    const lb = readUnit('balancer.service');
    for (const key of ['BindsTo', 'PartOf', 'Requires', 'Requisite'])
      assert.ok(!values(agent, 'Unit', key).some((v) => v.includes('balancer')), `ha-agent.service ${key}=`);
    assert.match(value(agent, 'Unit', 'After'), /\bnetwork-online\.target\b.*\bbalancer\.service\b/);
    for (const u of [agent, lb]) {
      assert.equal(value(u, 'Service', 'Type'), 'notify');
      assert.equal(value(u, 'Service', 'Restart'), 'on-failure');
      assert.ok(Number(value(u, 'Unit', 'StartLimitBurst')) > 0);
    }
    assert.deepEqual(capabilities(agent, 'CapabilityBoundingSet'), ['net_admin', 'net_raw']);
    assert.deepEqual(capabilities(agent, 'AmbientCapabilities'), ['net_admin', 'net_raw']);
    assert.deepEqual(capabilities(lb, 'CapabilityBoundingSet'), ['net_bind_service', 'sys_chroot']);
    assert.deepEqual(capabilities(lb, 'AmbientCapabilities'), ['net_bind_service', 'sys_chroot']);
    assert.deepEqual(unitCommands(lb, 'ExecReload', { env: { MAINPID: '4242' } }).at(-1), [
      '/bin/kill',
      '-USR2',
      '4242',
    ]);
  });

  it('ExecStart= is the checkout’s bins; no ExecStartPre= check; ExecReload= accepts the seed’s haproxy.cfg', () => {
    const cfgDir = mkdtempSync(join(tmpdir(), 'ha-lb-units-'));
    try {
      const CONFIG = join(cfgDir, 'haproxy.cfg');
      writeFileSync(CONFIG, balancerConfig(join(cfgDir, 'health.sock')));
      const lb = readUnit('balancer.service');
      const start = execStart(lb, { env: { CONFIG } });
      assert.equal(start[0], `${REPO_ROOT}/node_modules/.bin/balancer`);
      accessSync(start[0], constants.X_OK);
      const agent = execStart(readUnit('ha-agent.service'));
      assert.equal(agent[0], `${REPO_ROOT}/node_modules/.bin/ha-agent`);
      accessSync(agent[0], constants.X_OK);
      // No check before start: it would be a second Node start-up before every restart (issue 14).
      assert.deepEqual(unitCommands(lb, 'ExecStartPre', { env: { CONFIG } }), []);
      // The check line, as systemd runs it on reload.
      const check = unitCommands(lb, 'ExecReload', { env: { CONFIG } })[0];
      execFileSync(check[0], check.slice(1), { stdio: 'pipe' });
    } finally {
      rmSync(cfgDir, { recursive: true, force: true });
    }
  });

  it('ha-lb.sysusers creates the two users, the agent in the balancer’s group', {
    skip: !has('systemd-sysusers') && 'systemd-sysusers not installed',
  }, () => {
    const root = mkdtempSync(join(tmpdir(), 'ha-lb-sysusers-'));
    try {
      execFileSync('mkdir', ['-p', join(root, 'etc')]);
      execFileSync('systemd-sysusers', [`--root=${root}`, join(UNIT_DIR, 'ha-lb.sysusers')], {
        stdio: 'pipe',
      });
      const passwd = readFileSync(join(root, 'etc/passwd'), 'utf8');
      assert.match(passwd, /^balancer:x:\d+:\d+:/m);
      assert.match(passwd, /^ha-agent:x:\d+:\d+:/m);
      assert.match(readFileSync(join(root, 'etc/group'), 'utf8'), /^balancer:x:\d+:ha-agent$/m);
      for (const u of ['balancer.service', 'ha-agent.service']) {
        const unit = readUnit(u);
        assert.ok(
          passwd.includes(`\n${value(unit, 'Service', 'User')}:`) ||
            passwd.startsWith(`${value(unit, 'Service', 'User')}:`),
        );
      }
      assert.equal(value(readUnit('ha-agent.service'), 'Service', 'SupplementaryGroups'), 'balancer');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('the units’ user and capabilities are enough (setpriv, in the seed topology)', {
  skip: (!isRoot && 'needs root (network namespaces)') || (!has('setpriv') && 'setpriv not installed'),
}, () => {
  const fx = useSeedTopology();

  it('balancer: :80 with CAP_NET_BIND_SERVICE only; agent: VIP added and removed with CAP_NET_ADMIN + CAP_NET_RAW only', async () => {
    const { topo } = fx;
    const lb = startBalancer(
      topo,
      'ha-master',
      balancerConfig(balancerPaths(topo, 'ha-master').healthSocket),
      {
        sandbox: NOBODY,
      },
    );
    let agent: ReturnType<typeof startAgent> | undefined;
    try {
      await waitServing(topo, lb);
      const status = readFileSync(`/proc/${lb.pid}/status`, 'utf8');
      assert.match(status, /^Uid:\s+65534\b/m);
      assert.match(
        status,
        /^CapEff:\s+0000000000040400$/m,
        'the master: CAP_NET_BIND_SERVICE (bit 10) and CAP_SYS_CHROOT (bit 18) only',
      );
      // the seed's `chroot /var/lib/haproxy`: the worker serves from inside it, with no capability left
      const workers = readFileSync(`/proc/${lb.pid}/task/${lb.pid}/children`, 'utf8').trim().split(/\s+/);
      assert.equal(workers.length, 1, 'one worker');
      await waitFor(
        () => readlinkSync(`/proc/${workers[0]}/root`) === '/var/lib/haproxy',
        5000,
        'the worker in the chroot',
        20,
      );
      assert.match(readFileSync(`/proc/${workers[0]}/status`, 'utf8'), /^CapEff:\s+0000000000000000$/m);
      agent = startAgent(
        topo,
        'ha-master',
        agentConfig({ role: 'master', healthSocket: balancerPaths(topo, 'ha-master').healthSocket }),
        { sandbox: NOBODY },
      );
      await waitFor(
        () => topo.has('ha-master', LAB.vip),
        20_000,
        'the unprivileged agent to add the VIP',
        50,
      );
      assert.match(
        readFileSync(`/proc/${agent.pid}/status`, 'utf8'),
        /^CapEff:\s+0000000000003000$/m,
        'NET_ADMIN + NET_RAW',
      );
      assert.match(fetchFromClient(topo, LAB.vip) ?? '', /^web\d via 10\.18\.216\.115$/m);
      // the whole balancer dies: an orphaned worker would go on listening on :80 for a second
      // (packages/balancer/src/workers/worker.ts ORPHAN_LISTEN_MS), where the next test binds it
      for (const w of workers) process.kill(Number(w), 'SIGKILL');
      lb.kill('SIGKILL');
      await waitFor(
        () => !topo.has('ha-master', LAB.vip),
        10_000,
        'the unprivileged agent to remove the VIP',
        20,
      );
    } catch (err) {
      throw new Error(
        `${(err as Error).message}\n--- balancer:\n${lb.output().slice(-2000)}\n--- agent:\n${agent?.output().slice(-2000)}`,
      );
    } finally {
      await stopProc(agent?.proc);
      await stopProc(lb.proc, 'SIGKILL');
    }
  });

  it('balancer.socket: the ListenStream= sockets reach the balancer as fd@3 and fd@4; the first connection waited for it', {
    skip: !has('systemd-socket-activate') && 'systemd-socket-activate not installed (Debian package systemd)',
  }, async () => {
    const { topo } = fx;
    const listen = values(readUnit('balancer.socket'), 'Socket', 'ListenStream');
    assert.deepEqual(listen, ['0.0.0.0:80', '0.0.0.0:8080']);
    // The seed's haproxy.cfg with the edits balancer.socket's comment asks for.
    const cfg = balancerConfig(balancerPaths(topo, 'ha-master').healthSocket, SEED.haproxy)
      .replace(/^frontend(\s+)proxy\s+\*:80.*$/m, 'frontend$1proxy\n    bind fd@3')
      .replace(/^(\s*)bind \*:8080.*$/m, '$1bind fd@4');
    const lb = startBalancer(topo, 'ha-master', cfg, {
      sandbox: NOBODY,
      // systemd-socket-activate binds as root (like systemd), then runs the unit's command with the fds.
      wrap: (argv) => ['systemd-socket-activate', ...listen.flatMap((l) => ['-l', l]), ...argv],
    });
    try {
      await waitFor(() => /Listening on 0\.0\.0\.0:8080/.test(lb.output()), 10_000, 'the sockets bound');
      // The balancer starts on this first connection (systemd-socket-activate waits for one): it is
      // queued in the backlog, not refused, and answered once the balancer is up.
      assert.match(fetchFromClient(topo, LAB.master, 80, 20) ?? lb.output(), /^web\d via 10\.18\.216\.115$/m);
      const stats = spawnSync(
        'ip',
        [
          'netns',
          'exec',
          topo.nodes.client.ns,
          'curl',
          '-s',
          '-o',
          '/dev/null',
          '-w',
          '%{http_code}',
          '--max-time',
          '2',
          `http://${LAB.master}:8080/`,
        ],
        { encoding: 'utf8' },
      );
      assert.match(stats.stdout, /^\d{3}$/, 'fd@4 answers HTTP');
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${lb.output().slice(-2000)}`);
    } finally {
      await stopProc(lb.proc, 'SIGKILL');
    }
  });
});

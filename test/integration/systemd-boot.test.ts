// deploy/systemd's units under the real systemd: a machine booted by systemd-nspawn (support/nspawn.ts)
// with the units installed as README "Installing on a node" says, the seed's two files (lab addresses)
// and two web servers on the seed's web addresses. What systemd itself decides is checked here and
// nowhere else: the units load and start with all their sandboxing, Type=notify readiness and STATUS=,
// balancer.socket's sockets reaching the balancer, ExecReload=, Restart=on-failure with the sockets
// held (a connection made while the balancer is dead is answered by the restarted one), the agent's
// capabilities being enough to add and remove the VIP, and clean stops.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isRoot } from '../../packages/ha-agent/test/support/netns.ts';
import { waitFor } from '../../packages/ha-agent/test/support/wait-for.ts';
import { bootMachine, hasNspawn, type Machine } from './support/nspawn.ts';
import { agentConfig, LAB, labAddresses, SEED } from './support/seed-configs.ts';

const ROOT = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
const UNITS = join(ROOT, 'deploy/systemd');

describe('deploy/systemd under the real systemd (systemd-nspawn)', {
  skip:
    (!isRoot && 'needs root') || (!hasNspawn() && 'needs systemd-nspawn (Debian package systemd-container)'),
}, () => {
  let m: Machine;
  const curl = (url: string, extra: string[] = []) =>
    m.run(['curl', '-s', '-i', '--max-time', '5', ...extra, url]);
  const vipOnEns192 = () =>
    m.run(['ip', '-o', 'addr', 'show', 'dev', 'ens192']).stdout.includes(` ${LAB.vip}/`);

  before(async () => {
    m = await bootMachine({ project: ROOT });
    // README "Installing on a node": the units, balancer.service wanting balancer.socket
    for (const f of ['balancer.service', 'balancer.socket', 'ha-agent.service'])
      m.write(`etc/systemd/system/${f}`, readFileSync(join(UNITS, f), 'utf8'));
    m.write(
      'etc/systemd/system/balancer.service.d/socket.conf',
      '[Unit]\nRequires=balancer.socket\nAfter=balancer.socket\n',
    );
    m.write('etc/sysusers.d/ha-lb.conf', readFileSync(join(UNITS, 'ha-lb.sysusers'), 'utf8'));
    // haproxy.cfg's `chroot /var/lib/haproxy` (README: `install -d`; this machine has no haproxy package)
    m.ok(['install', '-d', '-m', '0755', '/var/lib/haproxy']);
    // one machine holds both web nodes too: they answer on ports 81/82 of their addresses, since
    // balancer.socket holds 0.0.0.0:80
    m.write(
      'etc/haproxy/haproxy.cfg',
      // the seed's binds as written (*:80, *:8080): the balancer matches the passed sockets by address
      labAddresses(SEED.haproxy)
        .replace(`${LAB.web1}:80`, `${LAB.web1}:81`)
        .replace(`${LAB.web2}:80`, `${LAB.web2}:82`),
    );
    m.write(
      'etc/keepalived/keepalived.conf',
      agentConfig({ role: 'master', healthSocket: '/run/balancer/health.sock' }),
    );
    // the node's interface (the seed's ens192, HA-master's address) and the two web nodes' addresses
    m.ok(['ip', 'link', 'set', 'lo', 'up']);
    // veth, not dummy: a container cannot load the dummy module
    m.ok(['ip', 'link', 'add', 'ens192', 'type', 'veth', 'peer', 'name', 'ens192-peer']);
    m.ok(['ip', 'link', 'set', 'ens192-peer', 'up']);
    m.ok(['ip', 'addr', 'add', `${LAB.master}/${LAB.prefix}`, 'dev', 'ens192']);
    m.ok(['ip', 'link', 'set', 'ens192', 'up']);
    m.ok(['ip', 'link', 'add', 'webs', 'type', 'veth', 'peer', 'name', 'webs-peer']);
    m.ok(['ip', 'link', 'set', 'webs-peer', 'up']);
    for (const [name, addr] of [
      ['web1', LAB.web1],
      ['web2', LAB.web2],
    ] as const) {
      m.ok(['ip', 'addr', 'add', `${addr}/32`, 'dev', 'webs']);
      m.write(`srv/${name}/index.html`, `${name}\n`);
    }
    m.ok(['ip', 'link', 'set', 'webs', 'up']);
    for (const [name, addr, port] of [
      ['web1', LAB.web1, '81'],
      ['web2', LAB.web2, '82'],
    ] as const)
      m.ok([
        'systemd-run',
        `--unit=${name}`,
        'python3',
        '-m',
        'http.server',
        port,
        '--bind',
        addr,
        '--directory',
        `/srv/${name}`,
      ]);
    m.ok(['systemd-sysusers']);
    m.ok(['systemctl', 'daemon-reload']);
  });
  after(async () => {
    await m?.stop();
  });

  const journal = (unit: string) => m.run(['journalctl', '-u', unit, '--no-pager', '-n', '40']).stdout;

  it('balancer.socket + balancer.service: started, Type=notify READY with STATUS=, the seed’s *:80 served through the passed socket', async () => {
    m.ok(['systemctl', 'start', 'balancer.socket']);
    const r = m.run(['systemctl', 'start', 'balancer.service']);
    assert.equal(r.code, 0, `${r.stderr}\n${journal('balancer')}`);
    assert.equal(m.prop('balancer', 'ActiveState'), 'active');
    assert.equal(m.prop('balancer', 'Type'), 'notify');
    assert.match(m.prop('balancer', 'StatusText'), /serving: 2 listeners/);
    assert.doesNotMatch(journal('balancer'), /which no 'bind' line uses/, 'both passed sockets matched');
    // the unit's user; the master has only CAP_NET_BIND_SERVICE and CAP_SYS_CHROOT, its worker is in
    // the seed's chroot with none left
    const pid = m.prop('balancer', 'MainPID');
    const status = m.ok(['cat', `/proc/${pid}/status`]);
    assert.equal(/^Uid:\s+(\d+)/m.exec(status)?.[1], m.ok(['id', '-u', 'balancer']).trim());
    assert.match(status, /^CapEff:\s+0000000000040400$/m);
    const worker = m.ok(['cat', `/proc/${pid}/task/${pid}/children`]).trim();
    assert.match(worker, /^\d+$/, 'one worker');
    assert.equal(m.ok(['readlink', `/proc/${worker}/root`]).trim(), '/var/lib/haproxy');
    assert.match(m.ok(['cat', `/proc/${worker}/status`]), /^CapEff:\s+0000000000000000$/m);
    await waitFor(() => /^web[12]$/m.test(curl('http://127.0.0.1/').stdout), 20_000, 'the seed served', 100);
    const first = curl('http://127.0.0.1/').stdout;
    assert.match(first, /^HTTP\/1\.[01] 200/);
    assert.match(first, /^set-cookie: SESSION_ID=[AB]; path=\//im);
    // the compile cache lands in CacheDirectory= (the unit's /usr and /opt are read-only)
    await waitFor(
      () => m.run(['find', '/var/cache/balancer', '-type', 'f']).stdout.trim() !== '',
      10_000,
      'the compile cache in /var/cache/balancer',
      100,
    );
  });

  it('systemctl reload balancer: ExecReload= checks the file and sends SIGUSR2; same process, still serving', async () => {
    const pid = m.prop('balancer', 'MainPID');
    const r = m.run(['systemctl', 'reload', 'balancer']);
    assert.equal(r.code, 0, `${r.stderr}\n${journal('balancer')}`);
    await waitFor(
      () => /SIGUSR2 received/.test(journal('balancer')),
      10_000,
      'the reload reached the balancer',
      100,
    );
    assert.equal(m.prop('balancer', 'MainPID'), pid);
    assert.equal(m.prop('balancer', 'ActiveState'), 'active');
    assert.match(curl('http://127.0.0.1/').stdout, /^HTTP\/1\.[01] 200/);
  });

  it('SIGKILL: Restart=on-failure brings a new balancer; a connection made while it was dead waits in the held socket and is answered', async () => {
    const pid = m.prop('balancer', 'MainPID');
    const restarts = Number(m.prop('balancer', 'NRestarts'));
    // (MainPID 0 = not running; `kill -KILL 0` would hit the test's own process group)
    assert.ok(Number(pid) > 1, `the balancer runs (MainPID ${pid})`);
    // the whole service crashes, master and worker (an orphaned worker would answer on its own for a
    // while: workers/worker.ts ORPHAN_LISTEN_MS), so the held socket is what keeps the client waiting
    const worker = m
      .ok(['cat', `/proc/${pid}/task/${pid}/children`])
      .trim()
      .split(/\s+/);
    const t0 = performance.now();
    m.ok(['kill', '-KILL', pid, ...worker]);
    // a client connecting right away: balancer.socket still listens, so it is queued, not refused
    const client = spawn(
      'nsenter',
      [
        '-t',
        String(m.leader),
        '-m',
        '-n',
        '-p',
        '--',
        'curl',
        '-s',
        '-i',
        '--max-time',
        '15',
        'http://127.0.0.1/',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let got = '';
    client.stdout.on('data', (d) => {
      got += d;
    });
    const code = await new Promise<number | null>((r) => client.once('exit', r));
    assert.equal(code, 0, `curl failed (${code}): ${got}\n${journal('balancer')}`);
    assert.match(got, /^HTTP\/1\.[01] 200/, got);
    // printed, not asserted (issue 14: goal < 500 ms): RestartSec= + the new balancer's start-up
    console.log(
      `# real systemd: the queued request answered ${Math.round(performance.now() - t0)} ms after the SIGKILL (RestartSec ${m.prop('balancer', 'RestartUSec')})`,
    );
    await waitFor(() => m.prop('balancer', 'ActiveState') === 'active', 20_000, 'active again', 100);
    assert.equal(Number(m.prop('balancer', 'NRestarts')), restarts + 1);
    assert.notEqual(m.prop('balancer', 'MainPID'), pid);
  });

  it('ha-agent.service: MASTER with the VIP on ens192; the balancer stopped → FAULT, VIP removed; started → MASTER again', async () => {
    const r = m.run(['systemctl', 'start', 'ha-agent.service']);
    assert.equal(r.code, 0, `${r.stderr}\n${journal('ha-agent')}`);
    const pid = m.prop('ha-agent', 'MainPID');
    assert.match(
      m.ok(['cat', `/proc/${pid}/status`]),
      /^CapEff:\s+0000000000003000$/m,
      'NET_ADMIN + NET_RAW',
    );
    await waitFor(() => vipOnEns192(), 20_000, `the VIP on ens192\n${journal('ha-agent')}`, 100);
    await waitFor(() => /MASTER/.test(m.prop('ha-agent', 'StatusText')), 5000, 'STATUS= says MASTER', 100);
    m.ok(['systemctl', 'stop', 'balancer.service']);
    await waitFor(() => !vipOnEns192(), 10_000, `the VIP removed\n${journal('ha-agent')}`, 50);
    await waitFor(() => /FAULT/.test(m.prop('ha-agent', 'StatusText')), 5000, 'STATUS= says FAULT', 100);
    m.ok(['systemctl', 'start', 'balancer.service']);
    await waitFor(() => vipOnEns192(), 20_000, `the VIP back\n${journal('ha-agent')}`, 100);
  });

  it('systemctl stop: both stop cleanly (inactive, not failed)', () => {
    m.ok(['systemctl', 'stop', 'ha-agent.service', 'balancer.service', 'balancer.socket']);
    for (const u of ['ha-agent', 'balancer'])
      assert.equal(m.prop(u, 'ActiveState'), 'inactive', `${u}: ${m.prop(u, 'Result')}\n${journal(u)}`);
    assert.equal(vipOnEns192(), false, 'the agent removed the VIP on stop');
  });
});

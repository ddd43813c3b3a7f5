import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KeepalivedConfig } from '../../src/keepalived/index.ts';
import { instance, parse } from './helpers.ts';

type Case = {
  name: string;
  text: string;
  configId?: string;
  check: (c: KeepalivedConfig) => unknown;
  expect: unknown;
};

const first = (c: KeepalivedConfig) => c.instances[0];

const cases: Case[] = [
  {
    name: 'track_file: weight 1 unless set, the reference inherits weight and reverse, init_file',
    text: `track_file tf {\n file /run/k/tf\n init_file 5 overwrite\n}\nvrrp_track_file rev {\n file /run/k/rev\n weight 4 reverse\n}\n${instance(' track_file {\n  tf\n  rev weight 2\n }')}`,
    check: (c) => [
      c.trackFiles.tf.weight,
      c.trackFiles.tf.initFile,
      c.trackFiles.rev.path,
      first(c).trackFiles.map((t) => [t.name, t.weight, t.reverse]),
    ],
    // keepalived 2.2.7's data dump for the same: "tf, weight 1" and "rev, weight 2 reverse"
    expect: [
      1,
      { value: 5, overwrite: true },
      '/run/k/rev',
      [
        ['tf', 1, false],
        ['rev', 2, true],
      ],
    ],
  },
  {
    name: 'vrrp_track_process: keepalived 2.2.7 parser rules (parameters imply an exact command-line match)',
    text: `vrrp_track_process a {\n process haproxy\n}\nvrrp_track_process b {\n process /usr/sbin/haproxy -f /etc/haproxy/haproxy.cfg\n param_match partial\n quorum 2\n quorum_max 3\n fork_delay 1.5\n terminate_delay 0.25\n}\nvrrp_track_process c {\n process sleep\n full_command\n weight 10 reverse\n}\nvrrp_track_process d {\n process nginx\n quorum_max 0\n}\nvrrp_track_process e {\n process x a\n}\n${instance(' track_process {\n  a\n  b\n  c weight -5\n  d\n  e\n }')}`,
    check: (c) => [
      Object.values(c.trackProcesses).map((p) => [
        p.name,
        p.process,
        p.params,
        p.paramMatch,
        p.fullCommand,
        p.quorum,
        p.quorumMax,
        p.forkDelay,
        p.terminateDelay,
        p.weight,
        p.weightReverse,
      ]),
      first(c).trackProcesses.map((t) => [t.name, t.weight, t.reverse]),
    ],
    expect: [
      [
        ['a', 'haproxy', [], 'none', false, 1, null, 0, 0, 0, false],
        [
          'b',
          '/usr/sbin/haproxy',
          ['-f', '/etc/haproxy/haproxy.cfg'],
          'partial',
          true,
          2,
          3,
          1.5,
          0.25,
          0,
          false,
        ],
        ['c', 'sleep', [], 'none', true, 1, null, 0, 0, 10, true],
        ['d', 'nginx', [], 'none', false, 0, 0, 0, 0, 0, false],
        ['e', 'x', ['a'], 'exact', true, 1, null, 0, 0, 0, false],
      ],
      // keepalived 2.2.7's data dump: "p1, weight 0" and "p2, weight -5 reverse"
      [
        ['a', 0, false],
        ['b', 0, false],
        ['c', -5, true],
        ['d', 0, false],
        ['e', 0, false],
      ],
    ],
  },
  {
    name: 'a track_script reference inherits the script’s reverse unless it says noreverse',
    text: `vrrp_script s {\n script /bin/true\n weight 10 reverse\n}\n${instance(' track_script {\n  s weight 20\n }')}${instance(' track_script {\n  s weight 20 noreverse\n }', 'VI_2').replace('_id 51', '_id 52')}`,
    check: (c) => c.instances.map((i) => [i.trackScripts[0].weight, i.trackScripts[0].reverse]),
    expect: [
      [20, true],
      [20, false],
    ],
  },
  {
    name: 'defaults of a minimal instance',
    text: instance(''),
    check: (c) => {
      const i = first(c);
      return [
        i.state,
        i.priority,
        i.advertInt,
        i.version,
        i.family,
        i.accept,
        i.nopreempt,
        i.useVmac,
        i.authentication,
      ];
    },
    expect: ['BACKUP', 100, 1, 2, 4, true, false, null, null],
  },
  {
    name: 'global garp defaults flow into instances; lower_prio follows master unless set',
    text: `global_defs {\n vrrp_garp_master_delay 2\n vrrp_garp_master_repeat 3\n vrrp_garp_master_refresh 60\n vrrp_garp_master_refresh_repeat 2\n vrrp_garp_interval 0.001\n}\n${instance(' garp_master_repeat 7', 'A')}${instance(' garp_lower_prio_delay 9', 'B').replace('_id 51', '_id 52')}`,
    check: (c) =>
      c.instances
        .map((i) => [
          i.garpMasterDelay,
          i.garpMasterRepeat,
          i.garpMasterRefresh,
          i.garpMasterRefreshRepeat,
          i.garpLowerPrioDelay,
          i.garpLowerPrioRepeat,
        ])
        .concat([[c.globalDefs.vrrpGarpInterval]]),
    expect: [[2, 7, 60, 2, 2, 7], [2, 3, 60, 2, 9, 3], [0.001]],
  },
  {
    name: 'vrrp_min_garp: one GARP, no second burst',
    text: `global_defs {\n vrrp_min_garp\n}\n${instance('')}`,
    check: (c) => [first(c).garpMasterRepeat, first(c).garpMasterDelay],
    expect: [1, 0],
  },
  {
    name: 'the seed instance',
    text: instance(
      ' state MASTER\n priority 100\n advert_int 1\n garp_master_delay 1\n authentication {\n  auth_type PASS\n  auth_pass 123456\n }',
    ),
    check: (c) => {
      const i = first(c);
      return [i.state, i.priority, i.garpMasterDelay, i.garpLowerPrioDelay, i.authentication];
    },
    expect: ['MASTER', 100, 1, 1, { type: 'PASS', pass: '123456' }],
  },
  {
    name: 'VIP options',
    text: `vrrp_instance V {\n interface eth0\n virtual_router_id 9\n virtual_ipaddress {\n  192.168.200.17/24 dev eth1 brd 192.168.200.255 scope global label eth1:vip\n  192.168.200.18\n }\n virtual_ipaddress_excluded {\n  2001:db8::1/64 dev eth2\n }\n}\n`,
    check: (c) =>
      [...first(c).virtualIpaddresses, ...first(c).virtualIpaddressesExcluded].map((v) => [
        v.address,
        v.prefix,
        v.family,
        v.dev,
        v.brd,
        v.scope,
        v.label,
        v.line,
      ]),
    expect: [
      ['192.168.200.17', 24, 4, 'eth1', '192.168.200.255', 'global', 'eth1:vip', 5],
      ['192.168.200.18', 32, 4, null, null, null, null, 6],
      ['2001:db8::1', 64, 6, 'eth2', null, null, null, 9],
    ],
  },
  {
    name: 'IPv6 instance forces VRRPv3 and keeps centisecond advert_int',
    text: `vrrp_instance V6 {\n interface eth0\n virtual_router_id 9\n advert_int 0.25\n virtual_ipaddress {\n  fe80::1/64\n }\n}\n`,
    check: (c) => [first(c).family, first(c).version, first(c).advertInt],
    expect: [6, 3, 0.25],
  },
  {
    name: 'global vrrp_version 3 and v3_checksum_as_v2',
    text: `global_defs {\n vrrp_version 3\n}\n${instance(' advert_int 0.5\n v3_checksum_as_v2')}`,
    check: (c) => [first(c).version, first(c).advertInt, first(c).v3ChecksumAsV2],
    expect: [3, 0.5, true],
  },
  {
    name: 'unicast',
    text: instance(' unicast_src_ip 10.0.0.2\n unicast_peer {\n  10.0.0.3\n  10.0.0.4\n }'),
    check: (c) => [first(c).unicastSrcIp, first(c).unicastPeers],
    expect: ['10.0.0.2', ['10.0.0.3', '10.0.0.4']],
  },
  {
    name: 'track weights resolve from the script / balancer unless written',
    text: `vrrp_script chk {\n script "/bin/true"\n weight -20\n}\nvrrp_track_balancer lb {\n weight -30\n}\nvrrp_track_balancer lb0 {\n}\n${instance(' track_script {\n  chk\n  chk weight 5 reverse\n }\n track_balancer {\n  lb\n  lb0\n  lb weight 7\n }\n track_interface {\n  eth1\n  eth2 weight -10\n }')}`,
    check: (c) => {
      const i = first(c);
      return [
        i.trackScripts.map((t) => [t.name, t.weight, t.reverse]),
        i.trackBalancers.map((t) => [t.name, t.weight]),
        i.trackInterfaces.map((t) => [t.name, t.weight]),
      ];
    },
    expect: [
      [
        ['chk', -20, false],
        ['chk', 5, true],
      ],
      [
        ['lb', -30],
        ['lb0', 0],
        ['lb', 7],
      ],
      [
        ['eth1', 0],
        ['eth2', -10],
      ],
    ],
  },
  {
    name: 'vrrp_script and vrrp_track_balancer defaults and values',
    text: `vrrp_script chk {\n script "/usr/bin/killall -0 haproxy"\n interval 2\n timeout 3\n rise 2\n fall 3\n weight -4 reverse\n user nobody nogroup\n init_fail\n}\nvrrp_script plain {\n script /bin/check arg1 'a b'\n}\nvrrp_track_balancer lb {\n socket /tmp/h.sock\n rise 2\n fall 1\n heartbeat_timeout 0.6\n restart_grace 1.5\n}\nvrrp_track_balancer d {\n}\n${instance('')}`,
    check: (c) => [
      c.vrrpScripts.chk,
      c.vrrpScripts.plain.script,
      [
        c.vrrpScripts.plain.interval,
        c.vrrpScripts.plain.timeout,
        c.vrrpScripts.plain.rise,
        c.vrrpScripts.plain.weight,
      ],
      c.trackBalancers.lb,
      c.trackBalancers.d,
    ],
    expect: [
      {
        name: 'chk',
        file: '/etc/keepalived/keepalived.conf',
        line: 1,
        script: '/usr/bin/killall -0 haproxy',
        interval: 2,
        timeout: 3,
        rise: 2,
        fall: 3,
        weight: -4,
        weightReverse: true,
        user: { user: 'nobody', group: 'nogroup' },
        initFail: true,
      },
      "/bin/check arg1 'a b'",
      [1, null, 1, 0],
      {
        name: 'lb',
        file: '/etc/keepalived/keepalived.conf',
        line: 14,
        socket: '/tmp/h.sock',
        weight: 0,
        rise: 2,
        fall: 1,
        heartbeatTimeout: 0.6,
        restartGrace: 1.5,
      },
      {
        name: 'd',
        file: '/etc/keepalived/keepalived.conf',
        line: 21,
        socket: '/run/balancer/health.sock',
        weight: 0,
        rise: 1,
        fall: 1,
        heartbeatTimeout: 1,
        restartGrace: 0,
      },
    ],
  },
  {
    name: 'notify commands as written, with optional user/group',
    text: instance(
      ` notify_master "/bin/n.sh master 'VI 1'"\n notify_backup /bin/b.sh\n notify_fault "/bin/f.sh" root wheel\n notify_stop /bin/s.sh\n notify /bin/all.sh nobody`,
    ),
    check: (c) => {
      const i = first(c);
      return [i.notifyMaster, i.notifyBackup, i.notifyFault, i.notifyStop, i.notify, i.notifyUsers];
    },
    expect: [
      "/bin/n.sh master 'VI 1'",
      '/bin/b.sh',
      '/bin/f.sh',
      '/bin/s.sh',
      '/bin/all.sh',
      { fault: { user: 'root', group: 'wheel' }, notify: { user: 'nobody', group: null } },
    ],
  },
  {
    name: 'use_vmac with and without a name; no_accept; nopreempt on BACKUP; preempt_delay',
    text:
      instance(' use_vmac\n no_accept\n nopreempt', 'A') +
      instance(' use_vmac vrrp.web\n vmac_xmit_base\n preempt_delay 4.5', 'B').replace('_id 51', '_id 52'),
    check: (c) => c.instances.map((i) => [i.useVmac, i.vmacXmitBase, i.accept, i.nopreempt, i.preemptDelay]),
    expect: [
      ['vrrp.51', false, false, true, 0],
      ['vrrp.web', true, true, false, 4.5],
    ],
  },
  {
    name: 'strict mode: accept off unless address owner',
    text: `global_defs {\n vrrp_strict\n}\n${instance(' priority 255\n state MASTER', 'OWNER')}${instance('', 'B').replace('_id 51', '_id 52')}`,
    check: (c) => c.instances.map((i) => [i.strictMode, i.accept, i.state]),
    expect: [
      [true, true, 'MASTER'],
      [true, false, 'BACKUP'],
    ],
  },
  {
    name: 'sync group members and notify',
    text: `vrrp_sync_group G {\n group {\n  A B\n }\n notify_master "/bin/g.sh"\n}\n${instance('', 'A')}${instance('', 'B').replace('_id 51', '_id 52')}`,
    check: (c) => [
      c.syncGroups[0].members,
      c.syncGroups[0].notifyMaster,
      c.instances.map((i) => i.syncGroup),
    ],
    expect: [['A', 'B'], '/bin/g.sh', ['G', 'G']],
  },
  {
    name: 'status API keywords (our extension) and global_defs',
    text: `global_defs {\n router_id LB1\n status_api_address 0.0.0.0\n status_api_port 9000\n status_api_token "t0k en"\n script_user keepalived_script\n enable_script_security\n vrrp_skip_check_adv_addr\n vrrp_mcast_group4 224.0.0.19\n}\n${instance('')}`,
    check: (c) => [
      c.globalDefs.routerId,
      c.globalDefs.statusApi,
      c.globalDefs.scriptUser,
      c.globalDefs.enableScriptSecurity,
      first(c).skipCheckAdvAddr,
      c.globalDefs.vrrpMcastGroup4,
    ],
    expect: [
      'LB1',
      { address: '0.0.0.0', port: 9000, token: 't0k en' },
      { user: 'keepalived_script', group: null },
      true,
      true,
      '224.0.0.19',
    ],
  },
  {
    name: 'status API defaults',
    text: instance(''),
    check: (c) => c.globalDefs.statusApi,
    expect: { address: '127.0.0.1', port: 8585, token: null },
  },
  {
    name: '{ on the next line, one-line blocks',
    text: 'global_defs\n{\n router_id X\n}\nvrrp_instance VI_1\n{\n interface eth0\n virtual_router_id 5\n virtual_ipaddress { 10.1.1.1/24 }\n track_interface { eth1 weight 3 }\n}\n',
    check: (c) => [
      c.globalDefs.routerId,
      first(c).virtualIpaddresses.map((v) => v.address),
      first(c).trackInterfaces[0].weight,
    ],
    expect: ['X', ['10.1.1.1'], 3],
  },
];

for (const c of cases) {
  test(`model: ${c.name}`, () => {
    const result = parse(c.text, { configId: c.configId });
    const errors = result.diagnostics.filter((d) => d.severity === 'alert');
    assert.deepEqual(errors, [], 'no errors');
    assert.ok(result.config !== null);
    assert.deepEqual(c.check(result.config), c.expect);
  });
}

test('the model is deeply frozen', () => {
  const { config } = parse(instance(''));
  assert.ok(config !== null);
  assert.ok(Object.isFrozen(config));
  assert.ok(Object.isFrozen(config.instances[0].virtualIpaddresses[0]));
  assert.throws(() => {
    (config.instances[0] as { priority: number }).priority = 1;
  }, TypeError);
});

test('config is null when there is an error', () => {
  const { config, diagnostics } = parse(instance(' priority 0'));
  assert.equal(config, null);
  assert.equal(diagnostics[0].severity, 'alert');
});

test('handover bridge: off by default; handover_peer, or handover_bridge with the only unicast_peer', () => {
  const off = parse(instance(''));
  assert.equal(off.config?.instances[0].handover, null);
  const peer = parse(instance(' handover_peer 10.0.0.7\n handover_drain 2.5'));
  assert.deepEqual(peer.config?.instances[0].handover, { peer: '10.0.0.7', drain: 2.5 });
  const uni = parse(instance(' handover_bridge\n unicast_peer {\n  10.0.0.8\n }'));
  assert.deepEqual(uni.config?.instances[0].handover, { peer: '10.0.0.8', drain: 5 });
});

test('handover bridge errors name the line and what to write', () => {
  const messages = (text: string) =>
    parse(text)
      .diagnostics.filter((d) => d.severity === 'alert')
      .map((d) => `${d.line}: ${d.message}`);
  assert.deepEqual(messages(instance(' handover_bridge')), [
    "4: (VI_1) handover_bridge needs the peer's address and the instance has no unicast_peer - add 'handover_peer 192.168.1.3'",
  ]);
  assert.deepEqual(messages(instance(' handover_peer 10.0.0.1')), [
    "4: (VI_1) handover_peer 10.0.0.1 is one of this node's own addresses or VIPs - write the other front node's address",
  ]);
  assert.deepEqual(messages(instance(' handover_peer nonsense')).length, 1);
});

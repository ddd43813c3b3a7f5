import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatKeepalivedDiagnostic } from '../../src/keepalived/index.ts';
import { instance, parse } from './helpers.ts';

const F = '/etc/keepalived/keepalived.conf';

type Case = {
  name: string;
  text: string;
  files?: Record<string, string>;
  /** [severity, file (default F), line, code, message] */
  expect: [string, string | null, number, string, string][];
};

const cases: Case[] = [
  {
    name: 'unknown keyword in an instance, with did-you-mean',
    text: instance('    advert_itn 1'),
    expect: [
      [
        'alert',
        null,
        4,
        'CFG_ERR_KA_UNKNOWN_KEYWORD',
        "Unknown keyword 'advert_itn' in vrrp_instance VI_1 - did you mean 'advert_int'?",
      ],
    ],
  },
  {
    name: 'unknown keyword without a plausible suggestion',
    text: instance('    frobnicate yes'),
    expect: [
      ['alert', null, 4, 'CFG_ERR_KA_UNKNOWN_KEYWORD', "Unknown keyword 'frobnicate' in vrrp_instance VI_1"],
    ],
  },
  {
    name: 'VRID out of range (keepalived wording) and not a number',
    text:
      instance('').replace('virtual_router_id 51', 'virtual_router_id 256') +
      instance('', 'B').replace('51', 'x1'),
    expect: [
      ['alert', null, 3, 'CFG_ERR_KA_OUT_OF_RANGE', "(VI_1): VRID '256' not valid - must be between 1 & 255"],
      ['alert', null, 11, 'CFG_ERR_KA_OUT_OF_RANGE', "(B): VRID 'x1' not valid - must be between 1 & 255"],
    ],
  },
  {
    name: 'priority 0 and 256',
    text: instance('    priority 0') + instance('    priority 256', 'B').replace('_id 51', '_id 52'),
    expect: [
      [
        'alert',
        null,
        4,
        'CFG_ERR_KA_OUT_OF_RANGE',
        '(VI_1) Priority not valid! must be between 1 & 255 (255 only for the address owner) - write e.g. priority 100',
      ],
      [
        'alert',
        null,
        12,
        'CFG_ERR_KA_OUT_OF_RANGE',
        '(B) Priority not valid! must be between 1 & 255 (255 only for the address owner) - write e.g. priority 100',
      ],
    ],
  },
  {
    name: 'advert_int: v2 rounds fractions, v3 caps at 40.95, 0 is out of range',
    text:
      instance('    advert_int 0.4', 'A') +
      instance('    version 3\n    advert_int 41', 'B').replace('_id 51', '_id 52') +
      instance('    advert_int 0', 'C').replace('_id 51', '_id 53'),
    expect: [
      [
        'warning',
        null,
        4,
        'CFG_WARN_KA_ADJUSTED',
        "(A) VRRPv2 advertisement interval 0.4s must be an integer - rounding to 1; use 'version 3' for sub-second adverts",
      ],
      [
        'alert',
        null,
        13,
        'CFG_ERR_KA_OUT_OF_RANGE',
        '(B) VRRPv3 advertisement interval 41s is over 40.95 - write advert_int 0.01 to 40.95',
      ],
      ['alert', null, 21, 'CFG_ERR_KA_OUT_OF_RANGE', "advert_int: number '0' outside range [0.01, 255]"],
    ],
  },
  {
    name: 'vrrp_track_process and track_file: what keepalived refuses, and a name that can never match',
    text: `vrrp_track_process none {\n    quorum 2\n}\nvrrp_track_process q {\n    process haproxy\n    quorum 3\n    quorum_max 2\n}\nvrrp_track_process m {\n    process haproxy\n    param_match sometimes\n}\nvrrp_track_process long {\n    process haproxy-balancer-01\n}\ntrack_file nofile {\n    weight 2\n}\n${instance('    track_process {\n        long\n        haproxx\n    }\n    track_file {\n        nofile\n    }')}`,
    expect: [
      [
        'alert',
        null,
        1,
        'CFG_ERR_KA_MISSING_REQUIRED',
        "track process 'none' process name not specified - add e.g. 'process haproxy'",
      ],
      [
        'alert',
        null,
        4,
        'CFG_ERR_KA_BAD_VALUE',
        '(q) quorum 3 is greater than quorum_max 2 - make quorum_max at least quorum',
      ],
      [
        'alert',
        null,
        11,
        'CFG_ERR_KA_BAD_VALUE',
        'Invalid param_match type sometimes - write param_match, param_match initial or param_match partial',
      ],
      [
        'warning',
        null,
        14,
        'CFG_WARN_KA_ADJUSTED',
        '(long) process haproxy-balancer-01 is longer than a process name can be (15 characters in /proc/PID/comm) and never matches - add full_command to match the command line',
      ],
      [
        'alert',
        null,
        16,
        'CFG_ERR_KA_MISSING_REQUIRED',
        "(nofile) track_file has no file - add e.g. 'file /run/keepalived/nofile'",
      ],
      [
        'alert',
        null,
        24,
        'CFG_ERR_KA_UNKNOWN_REFERENCE',
        "(VI_1) track process haproxx not found - define 'vrrp_track_process haproxx { … }'",
      ],
      [
        'alert',
        null,
        27,
        'CFG_ERR_KA_UNKNOWN_REFERENCE',
        "(VI_1) track file nofile not found - define 'track_file nofile { … }'",
      ],
    ],
  },
  {
    name: 'data_use_instance is accepted and said to have no effect',
    text: `global_defs {\n    data_use_instance\n}\n${instance('')}`,
    expect: [
      [
        'warning',
        null,
        2,
        'CFG_WARN_KA_IGNORED',
        'data_use_instance has no effect: ha-agent has no instance name or namespace to add to keepalived.data',
      ],
    ],
  },
  {
    name: 'a range error names the keyword (heartbeat_timeout 0)',
    text: `vrrp_track_balancer lb {\n    heartbeat_timeout 0\n}\n${instance('    track_balancer {\n        lb\n    }')}`,
    expect: [
      [
        'alert',
        null,
        2,
        'CFG_ERR_KA_OUT_OF_RANGE',
        "heartbeat_timeout: number '0' outside range [0.001, 3600]",
      ],
    ],
  },
  {
    name: 'vrrp_garp_interval 0 and vrrp_gna_interval 0 are refused, as keepalived 2.2.7 refuses them',
    text: `global_defs {\n    vrrp_garp_interval 0\n    vrrp_gna_interval 0.5\n}\n${instance('')}`,
    expect: [
      [
        'alert',
        null,
        2,
        'CFG_ERR_KA_OUT_OF_RANGE',
        "vrrp_garp_interval: number '0' outside range [0.000001, 4294.967295]",
      ],
    ],
  },
  {
    name: 'auth_pass longer than 8 is truncated with a warning',
    text: instance('    authentication {\n        auth_type PASS\n        auth_pass 123456789\n    }'),
    expect: [
      [
        'warning',
        null,
        6,
        'CFG_WARN_KA_AUTH_TRUNCATED',
        'Truncating auth_pass to 8 characters (only the first 8 are used)',
      ],
    ],
  },
  {
    name: 'authentication with VRRPv3 is ignored with a warning',
    text: instance('    version 3\n    authentication {\n        auth_type PASS\n        auth_pass x\n    }'),
    expect: [
      [
        'warning',
        null,
        5,
        'CFG_WARN_KA_AUTH_WITH_V3',
        '(VI_1) VRRP version 3 does not support authentication. Ignoring - remove the authentication block',
      ],
    ],
  },
  {
    name: 'nopreempt / preempt_delay with state MASTER warn',
    text: instance('    state MASTER\n    nopreempt\n    preempt_delay 5'),
    expect: [
      [
        'warning',
        null,
        5,
        'CFG_WARN_KA_PREEMPT_WITH_MASTER',
        "(VI_1) nopreempt will not work with initial state MASTER - clearing; write 'state BACKUP' on every node",
      ],
      [
        'warning',
        null,
        6,
        'CFG_WARN_KA_PREEMPT_WITH_MASTER',
        "(VI_1) preempt delay will not work with initial state MASTER - clearing; write 'state BACKUP' on every node",
      ],
    ],
  },
  {
    name: 'unknown track_script / track_balancer reference',
    text:
      'vrrp_script chk_lb {\n    script /bin/true\n}\n' +
      instance('    track_script {\n        chk_bl\n    }\n    track_balancer {\n        lb\n    }'),
    expect: [
      [
        'alert',
        null,
        8,
        'CFG_ERR_KA_UNKNOWN_REFERENCE',
        "(VI_1) track script chk_bl not found - did you mean 'chk_lb'?",
      ],
      [
        'alert',
        null,
        11,
        'CFG_ERR_KA_UNKNOWN_REFERENCE',
        "(VI_1) track balancer lb not found - define 'vrrp_track_balancer lb { … }'",
      ],
    ],
  },
  {
    name: 'sync group member unknown',
    text: `vrrp_sync_group G {\n    group {\n        VI_1\n        VI_2\n    }\n}\n${instance('')}`,
    expect: [
      [
        'warning',
        null,
        1,
        'CFG_WARN_KA_ADJUSTED',
        "Sync group G has only 1 virtual router(s) - this probably isn't what you want",
      ],
      [
        'alert',
        null,
        4,
        'CFG_ERR_KA_UNKNOWN_REFERENCE',
        "Virtual router VI_2 specified in sync group G doesn't exist - did you mean 'VI_1'?",
      ],
    ],
  },
  {
    name: 'duplicate VRID on the same interface and family; unicast with disjoint peers is allowed',
    text:
      instance('', 'A') +
      instance('', 'B') +
      instance('    unicast_peer {\n        10.0.0.7\n    }', 'U1').replace('_id 51', '_id 60') +
      instance('    unicast_peer {\n        10.0.0.8\n    }', 'U2').replace('_id 51', '_id 60'),
    expect: [
      [
        'alert',
        null,
        11,
        'CFG_ERR_KA_DUPLICATE_VRID',
        'A and B both use VRID 51 with IPv4 on interface eth0 - give B another virtual_router_id',
      ],
    ],
  },
  {
    name: 'VIP syntax errors',
    text: 'vrrp_instance V {\n interface eth0\n virtual_router_id 1\n virtual_ipaddress {\n  10.0.0.1/24 dev\n  10.0.0.1/24 lable x\n  1.2.3\n  10.0.0.1/24 brd fe80::1\n }\n}\n',
    expect: [
      ['alert', null, 5, 'CFG_ERR_KA_BAD_VIP', 'dev in virtual IP 10.0.0.1/24 is missing its value'],
      ['alert', null, 6, 'CFG_ERR_KA_BAD_VIP', "unknown virtual IP option 'lable' - did you mean 'label'?"],
      [
        'alert',
        null,
        7,
        'CFG_ERR_KA_BAD_VIP',
        'VRRP parsed invalid IP 1.2.3 - write an address like 192.168.1.10/24 or fd00::10/64',
      ],
      [
        'alert',
        null,
        8,
        'CFG_ERR_KA_BAD_VIP',
        'brd fe80::1: a broadcast address needs an IPv4 address on an IPv4 VIP',
      ],
    ],
  },
  {
    name: 'missing interface and virtual_router_id',
    text: 'vrrp_instance V {\n virtual_ipaddress {\n  10.0.0.1\n }\n}\n',
    expect: [
      ['alert', null, 1, 'CFG_ERR_KA_MISSING_REQUIRED', "(V) no interface - add e.g. 'interface eth0'"],
      [
        'alert',
        null,
        1,
        'CFG_ERR_KA_MISSING_REQUIRED',
        "(V) the virtual router id must be set - add e.g. 'virtual_router_id 51'",
      ],
    ],
  },
  {
    name: 'an interface missing on this host is only a warning',
    text: instance('').replace('interface eth0', 'interface ens192'),
    expect: [
      [
        'warning',
        null,
        2,
        'CFG_WARN_KA_MISSING_INTERFACE',
        "WARNING - interface ens192 for vrrp_instance VI_1 doesn't exist",
      ],
    ],
  },
  {
    name: 'diagnostics in an included file name that file and its line',
    text: 'include conf.d/*.conf\n',
    files: { '/etc/keepalived/conf.d/vi.conf': `\n\n${instance('    priorit 5')}` },
    expect: [
      [
        'alert',
        '/etc/keepalived/conf.d/vi.conf',
        6,
        'CFG_ERR_KA_UNKNOWN_KEYWORD',
        "Unknown keyword 'priorit' in vrrp_instance VI_1 - did you mean 'priority'?",
      ],
    ],
  },
  {
    name: 'LVS blocks: one warning for all of them, contents only brace-checked',
    text: `${instance('')}virtual_server 10.0.0.1 80 {\n  real_server 10.0.1.1 80 {\n    anything goes here\n  }\n}\nvirtual_server_group G {\n  10.0.0.2 80\n}\n`,
    expect: [
      [
        'warning',
        null,
        9,
        'CFG_WARN_KA_LVS_IGNORED',
        "virtual_server (LVS) blocks are ignored: ha-agent is keepalived's VRRP half, like 'keepalived --vrrp'",
      ],
    ],
  },
  {
    name: 'brace errors',
    text: `}\n${instance('')}vrrp_instance X {\n  interface eth0\n`,
    expect: [
      ['alert', null, 1, 'CFG_ERR_KA_UNEXPECTED_CLOSE_BRACE', "'}' closes no block - remove it"],
      ['alert', null, 10, 'CFG_ERR_KA_UNCLOSED_BLOCK', "block 'vrrp_instance X' is never closed - add '}'"],
      [
        'alert',
        null,
        10,
        'CFG_ERR_KA_MISSING_REQUIRED',
        "(X) the virtual router id must be set - add e.g. 'virtual_router_id 51'",
      ],
    ],
  },
  {
    name: 'a keyword that takes no block',
    text: instance('    priority 100 {\n    }'),
    expect: [
      [
        'alert',
        null,
        4,
        'CFG_ERR_KA_BLOCK_UNEXPECTED',
        "priority takes no '{ … }' block - remove the braces",
      ],
    ],
  },
  {
    name: 'a list keyword without its block',
    text: instance('    track_script chk'),
    expect: [
      [
        'alert',
        null,
        4,
        'CFG_ERR_KA_BLOCK_EXPECTED',
        "track_script needs a block - write 'track_script { NAME [weight N] }'",
      ],
    ],
  },
  {
    name: 'state and auth_type are case-sensitive, as in keepalived (which falls back to BACKUP)',
    text: instance(
      '    state master\n    authentication {\n        auth_type pass\n        auth_pass x\n    }',
    ),
    expect: [
      [
        'alert',
        null,
        4,
        'CFG_ERR_KA_BAD_VALUE',
        "(VI_1) unknown state 'master' - write MASTER or BACKUP (upper case)",
      ],
      [
        'alert',
        null,
        5,
        'CFG_ERR_KA_MISSING_REQUIRED',
        "(VI_1) authentication without auth_type - add 'auth_type PASS'",
      ],
      [
        'alert',
        null,
        6,
        'CFG_ERR_KA_BAD_VALUE',
        "(VI_1) unknown authentication type 'pass' - write PASS or AH (upper case)",
      ],
    ],
  },
  {
    name: 'unicast with use_vmac turns vmac_xmit_base on, as keepalived does',
    text: instance('    use_vmac\n    unicast_peer {\n        10.0.0.9\n    }'),
    expect: [
      [
        'warning',
        null,
        6,
        'CFG_WARN_KA_ADJUSTED',
        '(VI_1) unicast with use_vmac requires vmac_xmit_base - setting; add vmac_xmit_base to say so',
      ],
    ],
  },
  {
    name: 'include on a conditional line is not an include (keepalived.conf(5))',
    text: `${instance('')}@test include other.conf\n`,
    expect: [
      [
        'alert',
        null,
        9,
        'CFG_ERR_KA_BAD_VALUE',
        'include does not work on a line with @conditional, $PARAMETER or ~SEQ - write it on a plain line of its own',
      ],
    ],
  },
  {
    name: 'duplicate instance name',
    text: instance('') + instance('').replace('_id 51', '_id 52'),
    expect: [
      [
        'alert',
        null,
        9,
        'CFG_ERR_KA_DUPLICATE_NAME',
        `vrrp_instance VI_1 is defined twice (first at ${F}: Line 1) - rename one`,
      ],
    ],
  },
  {
    name: 'IPv4 and IPv6 mixed in virtual_ipaddress: the first address decides the family',
    text: instance('    virtual_ipaddress {\n        fd00::1/64\n    }'),
    expect: [
      [
        'alert',
        null,
        8,
        'CFG_ERR_KA_MIXED_FAMILY',
        '(VI_1): address family must match VRRP instance [10.0.0.1/24] - put IPv4 addresses in virtual_ipaddress_excluded or a separate instance',
      ],
    ],
  },
];

for (const c of cases) {
  test(`diagnostics: ${c.name}`, () => {
    const { diagnostics, config } = parse(c.text, { files: c.files });
    assert.deepEqual(
      diagnostics.map((d) => [d.severity, d.file === F ? null : d.file, d.line, d.code, d.message]),
      c.expect,
    );
    assert.equal(
      config === null,
      c.expect.some((e) => e[0] === 'alert'),
    );
  });
}

test('formatKeepalivedDiagnostic prints keepalived shape', () => {
  const base = { file: 'k.conf', code: 'X' } as const;
  assert.equal(
    formatKeepalivedDiagnostic({
      ...base,
      severity: 'alert',
      line: 14,
      message: "number '300' outside range [1, 255]",
    }),
    "(k.conf: Line 14) number '300' outside range [1, 255]",
  );
  assert.equal(
    formatKeepalivedDiagnostic({ ...base, severity: 'warning', line: 3, message: 'smtp_server is ignored' }),
    '(k.conf: Line 3) WARNING - smtp_server is ignored',
  );
  assert.equal(
    formatKeepalivedDiagnostic({
      ...base,
      severity: 'warning',
      line: 7,
      message: "WARNING - interface x doesn't exist",
    }),
    "(k.conf: Line 7) WARNING - interface x doesn't exist",
  );
  assert.equal(
    formatKeepalivedDiagnostic({ ...base, severity: 'warning', line: 0, message: 'no vrrp_instance' }),
    '(k.conf) WARNING - no vrrp_instance',
  );
});

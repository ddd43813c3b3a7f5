// The configurations behind test/fixtures/keepalived-dumps/: the same keepalived.conf is run by
// keepalived 2.2.7 (test/tools/capture-keepalived-dumps.ts) and by the agent (test/dumps.test.ts), on
// the same two-node lab, and the dumps compared.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DumpCase {
  name: string;
  /** the lab's 10.NET.0.0/24 */
  net: number;
  /** keepalived.conf for node i (0: priority 150, becomes MASTER; 1: priority 100), @DIR@ = lab dir */
  conf(i: number): string;
}

export const DUMP_CASES: DumpCase[] = [
  {
    name: 'v2-trackers',
    net: 68,
    conf: (i) => `global_defs {
  router_id node${i}
  script_user root
  enable_script_security
}
vrrp_script chk_true {
  script "/bin/true a 'b c'"
  interval 1
  weight -20
}
vrrp_track_process no_such_daemon {
  process ha-no-such-d
  weight -30
}
track_file bias {
  file @DIR@/bias${i}
  init_file 2 overwrite
}
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 68
  priority ${i === 0 ? 150 : 100}
  advert_int 1
  preempt_delay 2
  authentication {
    auth_type PASS
    auth_pass secret12
  }
  virtual_ipaddress {
    10.68.0.100/24
  }
  track_script {
    chk_true
  }
  track_process {
    no_such_daemon
  }
  track_file {
    bias weight 3
  }
}
`,
  },
  {
    name: 'v3-unicast-sync',
    net: 69,
    conf: (i) => `global_defs {
  router_id node${i}
}
vrrp_sync_group G1 {
  group {
    VI_A
    VI_B
  }
}
vrrp_instance VI_A {
  state BACKUP
  interface eth0
  virtual_router_id 91
  priority ${i === 0 ? 150 : 100}
  advert_int 0.5
  version 3
  unicast_src_ip 10.69.0.${i + 1}
  unicast_peer {
    10.69.0.${2 - i}
  }
  virtual_ipaddress {
    10.69.0.100/24
  }
}
vrrp_instance VI_B {
  state BACKUP
  interface eth0
  virtual_router_id 92
  priority ${i === 0 ? 150 : 100}
  advert_int 1
  version 3
  nopreempt
  virtual_ipaddress {
    10.69.0.101/24
    10.69.0.102/24
  }
}
`,
  },
];

/** Node i's configuration with the lab directory in place of @DIR@. */
export function dumpCaseConf(c: DumpCase, i: number, dir: string): string {
  return c.conf(i).split('@DIR@').join(dir);
}

/** Writes node i's configuration into the lab directory and returns its path. */
export function writeDumpCaseConf(c: DumpCase, i: number, dir: string): string {
  const path = join(dir, `node${i}.conf`);
  writeFileSync(path, dumpCaseConf(c, i, dir));
  return path;
}

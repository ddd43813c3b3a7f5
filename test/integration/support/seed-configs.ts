// The seed deployment's two files, turned into each lab node's files by substitution only, so a passing
// scenario proves the seed itself runs. What changes (seed-configs.test.ts checks it is nothing else):
// - addresses: the seed's 172.18.a.b become 10.18.a.b (the lab's own network; never the seed's);
// - interface: none — the lab names its interfaces ens192, as the seed's hosts;
// - haproxy.cfg for the balancer: one `health-socket PATH` line in `global` (both nodes share one
//   filesystem here, so each needs its own path; on a real node the default /run/balancer/health.sock
//   needs no line);
// - keepalived.conf for the agent: the two tracking lines (`vrrp_track_balancer …` and
//   `track_balancer { balancer }`), and on HA-slave what the seed's comments say to change there
//   (`state BACKUP`, `priority 99`);
// - for the real haproxy 2.6 only: `frontend proxy *:80` as `frontend proxy` + `bind *:80` (HAProxy 2.x
//   refuses the legacy form); for the real keepalived: a `vrrp_script` and its `track_script`.
// The seed's `pidfile` is overridden by the units' `-p $PIDFILE` (per node here), not edited.
import { readFileSync } from 'node:fs';
import { REPO_ROOT } from './systemd-unit.ts';

const SEED_DIR = `${REPO_ROOT}/packages/shared-config/test/fixtures/seed`;
/** verbatim copies of ../shared/seeds/{haproxy.cfg,keepalived.conf} */
export const SEED = {
  haproxy: readFileSync(`${SEED_DIR}/haproxy.cfg`, 'utf8'),
  keepalived: readFileSync(`${SEED_DIR}/keepalived.conf`, 'utf8'),
};

/** 172.18.a.b → 10.18.a.b */
export function labAddresses(text: string): string {
  return text.replace(/\b172\.18\.(\d+)\.(\d+)\b/g, '10.18.$1.$2');
}

/** The seed's hosts, in the lab (HA-master, HA-slave, web-node1, web-node2, the VIP) and a client. */
export const LAB = {
  master: labAddresses('172.18.216.115'),
  slave: labAddresses('172.18.216.79'),
  web1: labAddresses('172.18.218.149'),
  web2: labAddresses('172.18.216.107'),
  vip: labAddresses('172.18.216.194'),
  client: '10.18.216.10',
  prefix: 16,
  ifname: 'ens192',
} as const;

export type FrontRole = 'master' | 'slave';

/** haproxy.cfg for our balancer: the seed with lab addresses and a health-socket line. */
export function balancerConfig(healthSocket: string, seed = SEED.haproxy): string {
  return addAfterLine(labAddresses(seed), /^global\b/, `    health-socket ${healthSocket}\n`);
}

/**
 * The balancer's haproxy.cfg with the edits deploy/systemd/balancer.socket's comment asks for: the
 * frontends take the socket unit's ListenStream= sockets as fd@3 (:80) and fd@4 (:8080).
 */
export function socketActivated(cfg: string): string {
  return cfg
    .replace(/^frontend(\s+)proxy\s+\*:80.*$/m, 'frontend$1proxy\n    bind fd@3')
    .replace(/^(\s*)bind \*:8080.*$/m, '$1bind fd@4');
}

/** haproxy.cfg for the real HAProxy 2.6: lab addresses, and the frontend's bind on its own line. */
export function haproxyConfig(seed = SEED.haproxy): string {
  return labAddresses(seed).replace(/^frontend(\s+)proxy\s+\*:80(.*)$/m, 'frontend$1proxy$2\n    bind *:80');
}

/** What the seed's comments say HA-slave changes (state BACKUP, priority 99); `nopreempt` on both. */
function forRole(text: string, role: FrontRole, nopreempt: boolean): string {
  let out = text;
  if (role === 'slave') {
    out = out.replace(/^(\s*state\s+)MASTER\b/m, '$1BACKUP').replace(/^(\s*priority\s+)100\b/m, '$199');
  }
  if (nopreempt) {
    // keepalived honours nopreempt only with state BACKUP: both nodes say BACKUP.
    out = out.replace(/^(\s*state\s+)MASTER\b/m, '$1BACKUP');
    out = addAfterLine(out, /^\s*state\s+BACKUP\b/, '    nopreempt\n');
  }
  return out;
}

/** The two tracking lines the agent needs (README "Migrating"), with the lab node's socket path. */
export function trackingLines(
  healthSocket: string,
  restartGrace?: number,
): { global: string; instance: string } {
  const grace = restartGrace === undefined ? '' : `    restart_grace ${restartGrace}\n`;
  return {
    global: grace
      ? `vrrp_track_balancer balancer {\n    socket ${healthSocket}\n${grace}}\n\n`
      : `vrrp_track_balancer balancer { socket ${healthSocket} }\n\n`,
    instance: '    track_balancer { balancer }\n',
  };
}

/** keepalived.conf for our agent on `role`: the seed, lab addresses, the two tracking lines. */
export function agentConfig(o: {
  role: FrontRole;
  healthSocket: string;
  nopreempt?: boolean;
  seed?: string;
  /** `restart_grace S` in vrrp_track_balancer */
  restartGrace?: number;
  /** `handover_peer ADDR` in the instance: the handover bridge to the other front node */
  handoverPeer?: string;
  /** `advert_int S` instead of the seed's 1, with `version 3` (VRRPv3: centiseconds) */
  advertInt?: number;
}): string {
  const t = trackingLines(o.healthSocket, o.restartGrace);
  let out = forRole(labAddresses(o.seed ?? SEED.keepalived), o.role, o.nopreempt ?? false);
  out = addBeforeLine(out, /^vrrp_instance\b/, t.global);
  if (o.advertInt !== undefined)
    out = out.replace(/^(\s*)advert_int\s+1\b/m, `$1advert_int ${o.advertInt}\n$1version 3`);
  const handover = o.handoverPeer === undefined ? '' : `    handover_peer ${o.handoverPeer}\n`;
  return addAfterLine(out, /^\s*advert_int\b/, t.instance + handover);
}

/** A classic keepalived check: `script` run every `interval` s, optionally weighted. */
export interface ClassicCheck {
  /** the script's command line (keepalived runs it without a shell) */
  script: string;
  interval: number;
  /** keepalived's default 0: FAULT while the check fails */
  weight?: number;
}

/** keepalived.conf for the real keepalived on `role`: the seed, lab addresses, a vrrp_script. */
export function keepalivedConfig(o: { role: FrontRole; check: ClassicCheck; seed?: string }): string {
  const weight = o.check.weight ? `    weight ${o.check.weight}\n` : '';
  const script = `vrrp_script chk_balancer {\n    script "${o.check.script}"\n    interval ${o.check.interval}\n${weight}}\n\n`;
  let out = forRole(labAddresses(o.seed ?? SEED.keepalived), o.role, false);
  out = addBeforeLine(out, /^vrrp_instance\b/, script);
  return addAfterLine(out, /^\s*advert_int\b/, '    track_script {\n        chk_balancer\n    }\n');
}

/**
 * A second instance and VIP for active-active (the seed's reference "双主"): VI_2, VRID 89, VIP
 * 10.18.216.195, with the priorities swapped so HA-slave is its MASTER. `conf` is an agent config
 * made by agentConfig() for `role`.
 */
export function activeActive(conf: string, role: FrontRole): string {
  const start = conf.indexOf('vrrp_instance VI_1');
  const second = conf
    .slice(start)
    .replace('VI_1', 'VI_2')
    .replace(/^(\s*virtual_router_id\s+)88\b/m, (_m, lead: string) => `${lead}89`)
    .replace(/^(\s*state\s+)(MASTER|BACKUP)\b/m, `$1${role === 'master' ? 'BACKUP' : 'MASTER'}`)
    .replace(/^(\s*priority\s+)(100|99)\b/m, `$1${role === 'master' ? 99 : 100}`)
    .replace(LAB.vip, VIP2);
  return `${conf}\n${second}`;
}
export const VIP2 = '10.18.216.195';

function addAfterLine(text: string, re: RegExp, add: string): string {
  const lines = text.split(/(?<=\n)/);
  const i = lines.findIndex((l) => re.test(l));
  if (i < 0) throw new Error(`seed line ${re} not found`);
  lines.splice(i + 1, 0, add);
  return lines.join('');
}

function addBeforeLine(text: string, re: RegExp, add: string): string {
  const lines = text.split(/(?<=\n)/);
  const i = lines.findIndex((l) => re.test(l));
  if (i < 0) throw new Error(`seed line ${re} not found`);
  lines.splice(i, 0, add);
  return lines.join('');
}

/** Lines removed from `a` and added in `b` (longest common subsequence; the files are small). */
export function lineDiff(a: string, b: string): { removed: string[]; added: string[] } {
  const x = a.split('\n');
  const y = b.split('\n');
  const n = x.length;
  const m = y.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i][j] = x[i] === y[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const removed: string[] = [];
  const added: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) {
      i++;
      j++;
    } else if (j < m && (i === n || lcs[i][j + 1] >= lcs[i + 1][j])) added.push(y[j++]);
    else removed.push(x[i++]);
  }
  return { removed, added };
}

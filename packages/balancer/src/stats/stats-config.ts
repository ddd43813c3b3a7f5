/**
 * The `stats …` lines of a proxy and `stats socket` lines of `global`, resolved once into what the
 * stats page (stats-page.ts) and the runtime API (runtime/cli-server.ts) need.
 */
import type { HaproxyConfig, Proxy as ModelProxy } from '@ha-lb/shared-config/haproxy';

/** `stats admin if|unless …` reduced to what can be decided without the rule engine. */
export type AdminRule = 'always' | 'never' | 'localhost';

export interface StatsPageSpec {
  /** `stats uri` (a prefix; may contain a `?`, as the seed's `/admin?stats`) */
  uri: string;
  /** `stats realm` (HAProxy's default: "HAProxy Statistics") */
  realm: string;
  /** `stats auth` lines; none = no authentication asked */
  auth: readonly { user: string; password: string }[];
  /** `stats refresh`, ms; null = none */
  refresh: number | null;
  hideVersion: boolean;
  showLegends: boolean;
  /** `stats show-node [NAME]`: '' = the host name */
  showNode: string | null;
  showDesc: string | null;
  /** `stats scope`: proxies shown (empty = all; `.` = this one) */
  scope: readonly string[];
  /** `stats admin` decided for a client: null = no admin at all */
  admin: AdminRule | null;
}

export const DEFAULT_REALM = 'HAProxy Statistics';

/** The stats page of a proxy, or null when it serves none (`stats enable` or an implying line). */
export function statsPageOf(p: ModelProxy): StatsPageSpec | null {
  const s = p.stats;
  if (s === null || !s.enabled) return null;
  return {
    uri: s.uri,
    realm: s.realm ?? DEFAULT_REALM,
    auth: s.auth.map((a) => ({ user: a.user, password: a.password })),
    refresh: s.refresh,
    hideVersion: s.hideVersion,
    showLegends: s.showLegends,
    showNode: s.showNode,
    showDesc: s.showDesc,
    scope: [...s.scope],
    admin: adminRule(s.admin),
  };
}

type Cond = NonNullable<ModelProxy['stats']>['admin'][number];

/**
 * `stats admin if TRUE` / `if LOCALHOST` (and `unless FALSE`…) can be decided here; any other
 * condition is evaluated per request by the rule engine (rules/rule-set.ts StatsRules), which then
 * decides instead.
 */
export function adminRule(conds: readonly Cond[]): AdminRule | null {
  if (conds.length === 0) return null;
  let rule: AdminRule = 'never';
  for (const c of conds) {
    const r = simpleCondition(c);
    if (r === null) return null;
    if (r === 'always') rule = 'always';
    else if (r === 'localhost' && rule === 'never') rule = 'localhost';
  }
  return rule;
}

function simpleCondition(c: Cond): AdminRule | null {
  // one term, a predefined ACL: TRUE, FALSE, LOCALHOST (negated or not)
  if (c.anyOf.length !== 1 || c.anyOf[0].length !== 1) return null;
  const t = c.anyOf[0][0];
  if (t.kind !== 'named') return null;
  let neg = t.negate !== (c.polarity === 'unless');
  if (t.name === 'FALSE') neg = !neg;
  else if (t.name === 'LOCALHOST') return neg ? null : 'localhost';
  else if (t.name !== 'TRUE') return null;
  return neg ? 'never' : 'always';
}

export interface StatsSocketSpec {
  /** `unix` path, or an inet address (`ipv4@127.0.0.1:9999`, `127.0.0.1:9999`) */
  address: { kind: 'unix'; path: string } | { kind: 'inet'; host: string; port: number };
  /** permissions of a UNIX socket (octal), null = umask */
  mode: number | null;
  /** owner and group of a UNIX socket (`uid`/`user`, `gid`/`group`); null = the process's */
  uid: number | string | null;
  gid: number | string | null;
  level: 'user' | 'operator' | 'admin';
  /** `expose-fd listeners`: `_getsocks` answers with the listening sockets (runtime/cli-server.ts) */
  exposeFd?: boolean;
  file: string;
  line: number;
}

export function statsSocketsOf(model: HaproxyConfig): StatsSocketSpec[] {
  const out: StatsSocketSpec[] = [];
  for (const s of model.global.statsSockets) {
    const a = s.address;
    if (a.kind === 'fd') continue; // refused by in-effect.ts (not built)
    out.push({
      address:
        a.kind === 'unix'
          ? { kind: 'unix', path: a.path }
          : { kind: 'inet', host: a.host || '0.0.0.0', port: a.portMin },
      mode: s.mode,
      uid: s.uid ?? s.user,
      gid: s.gid ?? s.group,
      level: s.level,
      exposeFd: s.exposeFdListeners,
      file: s.file,
      line: s.line,
    });
  }
  return out;
}

/**
 * The enabled proxies in configuration order with HAProxy's numbers: `iid` (the proxy's `id`, else
 * the lowest free number from 1; a `stats socket` makes HAProxy create its CLI proxy first, which takes
 * 1), the frontend's session limit (its maxconn, else global maxconn) and the backend's `fullconn`
 * (else (sum of the maxconn of the frontends using it + 9) / 10, cfgparse.c).
 */
export function proxyOrderOf(model: HaproxyConfig): {
  name: string;
  uuid: number;
  fullconn: number;
  frontendMaxconn: number;
}[] {
  const proxies = model.proxies.filter((p) => !p.disabled);
  const used = new Set<number>(proxies.map((p) => p.id).filter((id): id is number => id != null));
  let next = 1;
  if (model.global.statsSockets.length > 0) used.add(next);
  const gmax = model.global.maxconn ?? 0;
  const feMax = (p: ModelProxy) => p.maxconn ?? gmax;
  const users = new Map<string, number>();
  for (const p of proxies) {
    if (!p.capabilities.frontend) continue;
    const targets = new Set<string>();
    const def = p.defaultBackend ?? (p.capabilities.backend ? p.name : null);
    if (def !== null) targets.add(def);
    for (const u of p.useBackends) targets.add(u.backend);
    for (const t of targets) users.set(t, (users.get(t) ?? 0) + feMax(p));
  }
  return proxies.map((p) => {
    let uuid = p.id;
    if (uuid == null) {
      while (used.has(next)) next++;
      uuid = next++;
    }
    return {
      name: p.name,
      uuid,
      fullconn: p.fullconn ?? Math.floor(((users.get(p.name) ?? 0) + 9) / 10),
      frontendMaxconn: feMax(p),
    };
  });
}

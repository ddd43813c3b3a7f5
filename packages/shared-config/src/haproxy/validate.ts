/**
 * Checks that need the whole configuration (HAProxy's post-parsing checks): references between
 * proxies, userlists and http-errors sections, server names, modes, and missing essentials.
 */
import type { Diagnostic, HaproxyAt } from '../common/diagnostic.ts';
import { alert, warning } from '../common/diagnostic.ts';
import { suggest } from '../common/did-you-mean.ts';
import type { ProxyInput } from './context.ts';
import { CODES } from './context.ts';
import type { AclCriterion } from './model.ts';
import { validateStickTableRefs } from './stick-table-refs.ts';

export type ProxyToValidate = ProxyInput & { defaultBackendAt?: { file: string; line: number } };

export interface ValidationInput {
  proxies: ProxyToValidate[];
  userlists: string[];
  httpErrors: string[];
  /** Number of `log` targets in the global section (what `log global` refers to). */
  globalLogTargets: number;
}

/**
 * HAProxy 2.6 runs its whole-configuration checks (cfgparse.c, check_config_validity) proxy by proxy in
 * file order, each proxy's in this order (seen with the real binary); a few run over every proxy
 * afterwards. `Diagnostic.postParse` is `postParseOrder(proxy index, phase)`, so checks written
 * elsewhere (the balancer's) print in the same order as HAProxy's.
 */
export const POST_PARSE_PHASE = {
  noBind: 1,
  statsConflict: 2,
  httpOnlyInTcp: 3,
  defaultBackend: 4,
  defaultBackendPrecedence: 5,
  useBackend: 6,
  stickRules: 7,
  trackSc: 8,
  /** smp_resolve_args: userlists and stick tables named in sample fetch arguments */
  resolveArgs: 9,
  missingTimeouts: 10,
  duplicateServer: 11,
  serverTrack: 12,
  logFormatIgnored: 13,
} as const;

/** After every proxy: peers sections without the local peer, then `errorfiles` naming no http-errors section. */
export const POST_PARSE_LATE = { peers: 1, httpErrors: 2 } as const;

/**
 * The `postParse` rank of a finding of `phase` about the proxy at `index` (-1: after every proxy);
 * `seq` orders findings of one phase (the parser sorts its diagnostics by line, HAProxy does not).
 */
export function postParseOrder(index: number, phase: number, seq = 0): number {
  return (index < 0 ? 1_000_000_000 : index * 100_000) + phase * 1000 + Math.min(seq, 999);
}

/** The proxy index (-1: after every proxy) and phase of a `postParse` rank. */
export function postParseRank(rank: number): { index: number; phase: number } {
  if (rank >= 1_000_000_000) return { index: -1, phase: Math.floor((rank - 1_000_000_000) / 1000) };
  return { index: Math.floor(rank / 100_000), phase: Math.floor((rank % 100_000) / 1000) };
}

const USERLIST_FETCHES = [
  'http_auth',
  'http_auth_group',
  'http_auth_bin',
  'http_auth_pass',
  'http_auth_type',
];

/** HAProxy calls a listen section a 'proxy' in its messages (proxy_type_str). */
export function proxyLabel(px: { kind: string; name: string }): string {
  return `${px.kind === 'listen' ? 'proxy' : px.kind} '${px.name}'`;
}

export function validateReferences(input: ValidationInput): Diagnostic[] {
  const out: Diagnostic[] = [];
  const backends = input.proxies.filter((p) => p.capabilities.backend);
  // Indexed once: a generated configuration has 100 000 backends and as many references to them.
  const backendsByName = new Map<string, ProxyToValidate>();
  for (const b of backends) if (!backendsByName.has(b.name)) backendsByName.set(b.name, b);
  const byName = (name: string) => backendsByName.get(name);
  const serverNames = new Map<ProxyToValidate, Set<string>>();
  const hasServer = (be: ProxyToValidate, name: string) => {
    let names = serverNames.get(be);
    if (names === undefined) {
      names = new Set((be.servers ?? []).map((x) => x.name));
      serverNames.set(be, names);
    }
    return names.has(name);
  };

  input.proxies.forEach((px, index) => {
    let seq = 0;
    const add = (d: Diagnostic, phase: number, at: HaproxyAt = 'none') =>
      out.push({ ...d, at, postParse: postParseOrder(index, phase, seq++) });
    const label = proxyLabel(px);
    const mode = px.mode ?? 'tcp';
    const live = !px.disabled;

    // Essentials HAProxy warns about.
    if (px.capabilities.frontend && (px.binds ?? []).length === 0 && live)
      add(
        warning(
          px.file,
          px.line,
          CODES.ignored,
          `${label} has no 'bind' directive. Please declare it as a backend if this was intended.`,
        ),
        POST_PARSE_PHASE.noBind,
      );

    const st = px.stats;
    if (st && (st.httpRequest ?? []).length > 0 && ((st.auth ?? []).length > 0 || st.realm))
      add(
        alert(
          st.file,
          st.line,
          CODES.syntax,
          `proxy '${px.name}': stats 'auth'/'realm' and 'http-request' can't be used at the same time. Use 'stats http-request auth' with a userlist instead of 'stats auth'.`,
        ),
        POST_PARSE_PHASE.statsConflict,
      );

    if (mode === 'tcp')
      for (const d of httpOnlyInTcp(px)) add(d, POST_PARSE_PHASE.httpOnlyInTcp, d.at ?? 'none');

    // Backend references: default_backend and use_backend.
    const refs: { backend: string; file: string; line: number; what: 'default_backend' | 'use_backend' }[] =
      [];
    if (px.capabilities.frontend && px.defaultBackend) {
      const where = px.defaultBackendAt ?? { file: px.file, line: px.line };
      refs.push({ backend: px.defaultBackend, ...where, what: 'default_backend' });
    }
    if (px.capabilities.frontend) {
      for (const u of px.useBackends ?? [])
        refs.push({ backend: u.backend, file: u.file, line: u.line, what: 'use_backend' });
    }
    const refPhase = (what: string) =>
      what === 'default_backend' ? POST_PARSE_PHASE.defaultBackend : POST_PARSE_PHASE.useBackend;
    for (const ref of refs) {
      if (ref.backend.includes('%[')) continue; // dynamic name (log-format), resolved per request
      const target = byName(ref.backend);
      if (!target) {
        const fe = input.proxies.find((p) => p.name === ref.backend);
        const hint = suggest(
          ref.backend,
          backends.map((b) => b.name),
        );
        const ours = fe
          ? ` '${ref.backend}' is a frontend, it has no backend capability (declare a 'backend ${ref.backend}' or use a 'listen' section).`
          : hint
            ? ` Did you mean '${hint}' maybe ?`
            : '';
        add(
          alert(
            ref.file,
            ref.line,
            CODES.unknownReference,
            `Proxy '${px.name}': unable to find required ${ref.what}: '${ref.backend}'.${ours}`,
          ),
          refPhase(ref.what),
        );
        continue;
      }
      const tmode = target.mode ?? 'tcp';
      if (mode === 'http' && tmode === 'tcp') {
        add(
          alert(
            ref.file,
            ref.line,
            CODES.modeMismatch,
            `http ${label} (${px.file}:${px.line}) tries to use incompatible tcp backend '${target.name}' (${target.file}:${target.line}) ${ref.what === 'default_backend' ? 'as its default backend' : "in a 'use_backend' rule"} (see 'mode').`,
          ),
          refPhase(ref.what),
        );
      }
    }

    if (
      px.capabilities.frontend &&
      px.capabilities.backend &&
      px.defaultBackend &&
      (px.servers ?? []).length > 0
    ) {
      const where = px.defaultBackendAt ?? { file: px.file, line: px.line };
      add(
        warning(
          where.file,
          where.line,
          CODES.ignored,
          `In proxy '${px.name}', the 'default_backend' rule always has precedence over the servers, which will never be used.`,
        ),
        POST_PARSE_PHASE.defaultBackendPrecedence,
      );
    }

    // Userlists referenced by ACLs (named and anonymous).
    const criteria: { c: AclCriterion | Omit<AclCriterion, never>; file: string; line: number }[] = [];
    for (const a of px.acls ?? []) criteria.push({ c: a as AclCriterion, file: a.file, line: a.line });
    const rulesWithCond = [
      ...(px.httpRequestRules ?? []),
      ...(px.httpResponseRules ?? []),
      ...(px.tcpRequestRules ?? []),
      ...(px.useBackends ?? []),
      ...(px.redirects ?? []),
    ];
    for (const r of rulesWithCond) {
      for (const group of r.cond?.anyOf ?? []) {
        for (const t of group)
          if (t.kind === 'inline')
            criteria.push({ c: t.criterion as AclCriterion, file: r.file, line: r.line });
      }
    }
    for (const { c, file, line } of criteria) {
      if (!USERLIST_FETCHES.includes(c.fetch)) continue;
      const ul = c.fetchArgs[0];
      if (ul === undefined) {
        add(
          alert(
            file,
            line,
            CODES.missingArg,
            `ACL keyword '${c.fetch}' expects a userlist name, e.g. ${c.fetch}(admins).`,
          ),
          POST_PARSE_PHASE.resolveArgs,
          'parsing',
        );
      } else if (!input.userlists.includes(ul)) {
        const hint = suggest(ul, input.userlists);
        add(
          alert(
            file,
            line,
            CODES.unknownReference,
            `unable to find userlist '${ul}' referenced in arg 1 of ACL keyword '${c.fetch}' in proxy '${px.name}'.${hint ? ` Did you mean '${hint}' maybe ?` : ''}`,
          ),
          POST_PARSE_PHASE.resolveArgs,
          'parsing:',
        );
      }
    }

    // cfgparse.c: a frontend needs 'timeout client'; a backend with servers 'timeout connect' and
    // 'timeout server' ('timeout tunnel' does for the latter in mode tcp). 0 is "not set".
    const t = px.timeouts ?? {};
    const missing =
      (px.capabilities.frontend && !t.client) ||
      (px.capabilities.backend &&
        (px.servers ?? []).length > 0 &&
        (!t.connect || (!t.server && (mode === 'http' || !t.tunnel))));
    if (missing && live)
      add(
        warning(
          px.file,
          px.line,
          CODES.ignored,
          `missing timeouts for ${label}.\n` +
            '   | While not properly invalid, you will certainly encounter various problems\n' +
            '   | with such a configuration. To fix this, please ensure that all following\n' +
            "   | timeouts are set to a non-zero value: 'client', 'connect', 'server'.",
        ),
        POST_PARSE_PHASE.missingTimeouts,
      );

    // Servers: unique names, tracked servers exist.
    const seen = new Map<string, number>();
    for (const s of px.servers ?? []) {
      const prev = seen.get(s.name);
      if (prev !== undefined) {
        add(
          alert(
            s.file,
            s.line,
            CODES.duplicate,
            `${label}, another server named '${s.name}' was already defined at line ${prev}, please use distinct names.`,
          ),
          POST_PARSE_PHASE.duplicateServer,
          'parsing',
        );
      } else seen.set(s.name, s.line);
    }
    for (const s of px.servers ?? []) {
      if (!s.track) continue;
      const slash = s.track.indexOf('/');
      const beName = slash < 0 ? px.name : s.track.slice(0, slash);
      const srvName = slash < 0 ? s.track : s.track.slice(slash + 1);
      const be = byName(beName);
      const missingWhat = !be ? `proxy '${beName}'` : !hasServer(be, srvName) ? `server '${srvName}'` : null;
      if (missingWhat)
        add(
          alert(
            s.file,
            s.line,
            CODES.unknownReference,
            `'server ${px.name}/${s.name}' : unable to find required ${missingWhat} for tracking.`,
          ),
          POST_PARSE_PHASE.serverTrack,
          'bracket',
        );
    }

    // A log format without anywhere to send the logs (HAProxy's warning).
    const o = px.options ?? {};
    const formats = o.httplog || o.httpslog || o.tcplog || px.logFormat;
    const targets = (px.log ?? []).reduce(
      (n, l) => n + (l.kind === 'global' ? input.globalLogTargets : 1),
      0,
    );
    if (formats && px.capabilities.frontend && targets === 0 && live)
      add(
        warning(
          px.file,
          px.line,
          CODES.ignored,
          `log format ignored for ${label} since it has no log address.`,
        ),
        POST_PARSE_PHASE.logFormatIgnored,
      );
  });

  out.push(...validateStickTableRefs(input.proxies));

  // After every proxy: http-errors sections are resolved last.
  let late = 0;
  for (const px of input.proxies) {
    for (const ref of px.errorfilesFrom ?? []) {
      if (!input.httpErrors.includes(ref.name)) {
        const hint = suggest(ref.name, input.httpErrors);
        out.push({
          ...alert(
            ref.file,
            ref.line,
            CODES.unknownReference,
            `proxy '${px.name}': unknown http-errors section '${ref.name}' (at ${ref.file}:${ref.line}).${hint ? ` Did you mean '${hint}' maybe ?` : ''}`,
          ),
          at: 'none',
          postParse: postParseOrder(-1, POST_PARSE_LATE.httpErrors, late++),
        });
      }
    }
  }
  return out;
}

/** HAProxy's warnings for HTTP-only settings in a tcp-mode proxy (they are ignored there). */
function httpOnlyInTcp(px: ProxyToValidate): Diagnostic[] {
  const out: Diagnostic[] = [];
  const who = proxyLabel(px);
  const warn = (file: string, line: number, message: string, at: HaproxyAt = 'none') =>
    out.push({ ...warning(file, line, CODES.ignored, message), at });
  const o = px.options ?? {};
  if (px.cookie)
    warn(px.cookie.file, px.cookie.line, `cookie will be ignored for ${who} (needs 'mode http').`);
  if (o.httplog && px.capabilities.frontend) {
    const where = px.logFormatAt ?? { file: px.file, line: px.line };
    warn(
      where.file,
      where.line,
      `'option httplog' not usable with ${who} (needs 'mode http'). Falling back to 'option tcplog'.`,
      'parsing',
    );
  }
  const rules = [
    ['http-request', px.httpRequestRules],
    ['http-response', px.httpResponseRules],
    ['http-after-response', px.httpAfterResponseRules],
  ] as const;
  for (const [name, list] of rules) {
    const first = list?.[0];
    if (first) warn(first.file, first.line, `'${name}' rules ignored for ${who} as they require HTTP mode.`);
  }
  const options: [string, unknown][] = [
    ['forwardfor', o.forwardfor],
    ['originalto', o.originalto],
    ['http-buffer-request', o.httpBufferRequest],
  ];
  for (const [name, value] of options) {
    if (value) warn(px.file, px.line, `'option ${name}' ignored for ${who} as it requires HTTP mode.`);
  }
  return out;
}

export interface UserlistToValidate {
  name: string;
  groups: { name: string; users: string[]; line: number }[];
  users: { name: string; groups: string[]; line: number }[];
  file: string;
  line: number;
}

/** Users and groups referring to each other must exist (HAProxy's wording, with a suggestion). */
/** Userlists are resolved before the proxies are checked (cfgparse.c). */
const BEFORE_PROXIES = { at: 'none', postParse: 0 } as const;

export function validateUserlists(userlists: readonly UserlistToValidate[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const ul of userlists) {
    const groups = ul.groups.map((g) => g.name);
    const users = ul.users.map((u) => u.name);
    const groupSet = new Set(groups);
    const userSet = new Set(users);
    const hint = (word: string, candidates: string[]) => {
      // One- and two-letter names would get arbitrary suggestions.
      const h = word.length >= 3 ? suggest(word, candidates) : null;
      return h ? `; did you mean '${h}' maybe ?` : '.';
    };
    for (const u of ul.users) {
      for (const g of u.groups) {
        if (!groupSet.has(g)) {
          out.push({
            ...alert(
              ul.file,
              u.line,
              CODES.unknownReference,
              `userlist '${ul.name}': no such group '${g}' specified in user '${u.name}'${hint(g, groups)}`,
            ),
            ...BEFORE_PROXIES,
          });
        }
      }
    }
    for (const g of ul.groups) {
      for (const u of g.users) {
        if (!userSet.has(u)) {
          out.push({
            ...alert(
              ul.file,
              g.line,
              CODES.unknownReference,
              `userlist '${ul.name}': no such user '${u}' specified in group '${g.name}'${hint(u, users)}`,
            ),
            ...BEFORE_PROXIES,
          });
        }
      }
    }
  }
  return out;
}

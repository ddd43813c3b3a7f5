/**
 * Checks that need the whole configuration (HAProxy's post-parsing checks): references between
 * proxies, userlists and http-errors sections, server names, modes, and missing essentials.
 */
import type { Diagnostic } from '../common/diagnostic.ts';
import { alert, warning } from '../common/diagnostic.ts';
import { suggest } from '../common/did-you-mean.ts';
import type { ProxyInput } from './context.ts';
import { CODES } from './context.ts';
import type { AclCriterion } from './model.ts';

export type ProxyToValidate = ProxyInput & { defaultBackendAt?: { file: string; line: number } };

export interface ValidationInput {
  proxies: ProxyToValidate[];
  userlists: string[];
  httpErrors: string[];
  /** Number of `log` targets in the global section (what `log global` refers to). */
  globalLogTargets: number;
}

const USERLIST_FETCHES = [
  'http_auth',
  'http_auth_group',
  'http_auth_bin',
  'http_auth_pass',
  'http_auth_type',
];

export function validateReferences(input: ValidationInput): Diagnostic[] {
  const out: Diagnostic[] = [];
  const backends = input.proxies.filter((p) => p.capabilities.backend);
  const byName = (name: string) => backends.find((b) => b.name === name);

  for (const px of input.proxies) {
    // HAProxy calls a listen section a 'proxy' in these messages.
    const label = `${px.kind === 'listen' ? 'proxy' : px.kind} '${px.name}'`;
    const mode = px.mode ?? 'tcp';

    // Backend references: default_backend and use_backend.
    const refs: { backend: string; file: string; line: number; what: string }[] = [];
    if (px.capabilities.frontend && px.defaultBackend) {
      const at = px.defaultBackendAt ?? { file: px.file, line: px.line };
      refs.push({ backend: px.defaultBackend, ...at, what: 'default_backend' });
    }
    if (px.capabilities.frontend) {
      for (const u of px.useBackends ?? [])
        refs.push({ backend: u.backend, file: u.file, line: u.line, what: 'use_backend' });
    }
    for (const ref of refs) {
      if (ref.backend.includes('%[')) continue; // dynamic name (log-format), resolved per request
      const target = byName(ref.backend);
      if (!target) {
        const fe = input.proxies.find((p) => p.name === ref.backend);
        const hint = suggest(
          ref.backend,
          backends.map((b) => b.name),
        );
        out.push(
          alert(
            ref.file,
            ref.line,
            CODES.unknownReference,
            fe
              ? `proxy '${px.name}': ${ref.what} '${ref.backend}' is a frontend, it has no backend capability (declare a 'backend ${ref.backend}' or use a 'listen' section).`
              : `proxy '${px.name}': unable to find required ${ref.what}: '${ref.backend}'${hint ? `; did you mean '${hint}' maybe ?` : '.'}`,
          ),
        );
        continue;
      }
      const tmode = target.mode ?? 'tcp';
      if (mode === 'http' && tmode === 'tcp') {
        out.push(
          alert(
            ref.file,
            ref.line,
            CODES.modeMismatch,
            `http ${label} (${px.file}:${px.line}) tries to use incompatible tcp backend '${target.name}' (${target.file}:${target.line}) as its ${ref.what === 'default_backend' ? 'default backend' : 'backend'} (see 'mode').`,
          ),
        );
      }
    }

    if (
      px.capabilities.frontend &&
      px.capabilities.backend &&
      px.defaultBackend &&
      (px.servers ?? []).length > 0
    ) {
      const at = px.defaultBackendAt ?? { file: px.file, line: px.line };
      out.push(
        warning(
          at.file,
          at.line,
          CODES.ignored,
          `In proxy '${px.name}', the 'default_backend' rule always has precedence over the servers, which will never be used.`,
        ),
      );
    }

    // Servers: unique names, tracked servers exist.
    const seen = new Map<string, number>();
    for (const s of px.servers ?? []) {
      const prev = seen.get(s.name);
      if (prev !== undefined) {
        out.push(
          alert(
            s.file,
            s.line,
            CODES.duplicate,
            `${px.kind} '${px.name}', another server named '${s.name}' was already defined at line ${prev}, please use distinct names.`,
          ),
        );
      } else seen.set(s.name, s.line);
    }
    for (const s of px.servers ?? []) {
      if (!s.track) continue;
      const slash = s.track.indexOf('/');
      const beName = slash < 0 ? px.name : s.track.slice(0, slash);
      const srvName = slash < 0 ? s.track : s.track.slice(slash + 1);
      const be = byName(beName);
      if (!be) {
        out.push(
          alert(
            s.file,
            s.line,
            CODES.unknownReference,
            `'server ${px.name}/${s.name}' : unable to find required proxy '${beName}' for tracking.`,
          ),
        );
      } else if (!(be.servers ?? []).some((x) => x.name === srvName)) {
        out.push(
          alert(
            s.file,
            s.line,
            CODES.unknownReference,
            `'server ${px.name}/${s.name}' : unable to find required server '${srvName}' for tracking.`,
          ),
        );
      }
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
        out.push(
          alert(
            file,
            line,
            CODES.missingArg,
            `ACL keyword '${c.fetch}' expects a userlist name, e.g. ${c.fetch}(admins).`,
          ),
        );
      } else if (!input.userlists.includes(ul)) {
        const hint = suggest(ul, input.userlists);
        out.push(
          alert(
            file,
            line,
            CODES.unknownReference,
            `unable to find userlist '${ul}' referenced in arg 1 of ACL keyword '${c.fetch}' in proxy '${px.name}'${hint ? `; did you mean '${hint}' maybe ?` : '.'}`,
          ),
        );
      }
    }

    if (mode === 'tcp') out.push(...httpOnlyInTcp(px));

    // A log format without anywhere to send the logs (HAProxy's warning).
    const o = px.options ?? {};
    const formats = o.httplog || o.httpslog || o.tcplog || px.logFormat;
    const targets = (px.log ?? []).reduce(
      (n, l) => n + (l.kind === 'global' ? input.globalLogTargets : 1),
      0,
    );
    if (formats && px.capabilities.frontend && targets === 0 && !px.disabled) {
      out.push(
        warning(
          px.file,
          px.line,
          CODES.ignored,
          `log format ignored for ${label} since it has no log address.`,
        ),
      );
    }

    const st = px.stats;
    if (st && (st.httpRequest ?? []).length > 0 && ((st.auth ?? []).length > 0 || st.realm)) {
      out.push(
        alert(
          st.file,
          st.line,
          CODES.syntax,
          `proxy '${px.name}': stats 'auth'/'realm' and 'http-request' can't be used at the same time (use 'stats http-request auth' with a userlist instead of 'stats auth').`,
        ),
      );
    }

    // HAProxy 2.6: an explicit `balance` (here or inherited) wins over `dispatch`.
    if (px.capabilities.backend && px.dispatch && px.balance && !px.disabled) {
      out.push(
        warning(
          px.file,
          px.line,
          CODES.ignored,
          `dispatch address of ${label} will be ignored in balance mode.`,
        ),
      );
    }

    for (const ref of px.errorfilesFrom ?? []) {
      if (!input.httpErrors.includes(ref.name)) {
        out.push(
          alert(
            px.file,
            px.line,
            CODES.unknownReference,
            `proxy '${px.name}': unable to find http-errors section '${ref.name}' referenced by 'errorfiles'.`,
          ),
        );
      }
    }

    // Essentials HAProxy warns about.
    if (px.capabilities.frontend && (px.binds ?? []).length === 0 && !px.disabled) {
      out.push(
        warning(
          px.file,
          px.line,
          CODES.ignored,
          `${label} has no 'bind' directive. Please declare it as a backend if this was intended.`,
        ),
      );
    }
    const t = px.timeouts ?? {};
    const missing =
      (px.capabilities.frontend && !t.client) || (px.capabilities.backend && (!t.connect || !t.server));
    if (missing && !px.disabled) {
      out.push(
        warning(
          px.file,
          px.line,
          CODES.ignored,
          `missing timeouts for ${label}. While not properly invalid, you will certainly encounter various problems with such a configuration. To fix this, please ensure that all following timeouts are set to a non-zero value: 'client', 'connect', 'server'.`,
        ),
      );
    }
  }
  return out;
}

/** HAProxy's warnings for HTTP-only settings in a tcp-mode proxy (they are ignored there). */
function httpOnlyInTcp(px: ProxyToValidate): Diagnostic[] {
  const out: Diagnostic[] = [];
  const who = `${px.kind === 'listen' ? 'proxy' : px.kind} '${px.name}'`;
  const warn = (file: string, line: number, message: string) =>
    out.push(warning(file, line, CODES.ignored, message));
  const o = px.options ?? {};
  const algo = px.balance?.algorithm;
  if (px.capabilities.backend && (algo === 'uri' || algo === 'url_param' || algo === 'hdr'))
    warn(
      px.file,
      px.line,
      `Layer 7 hash not possible for ${who} (needs 'mode http'). Falling back to round robin.`,
    );
  if (px.cookie)
    warn(px.cookie.file, px.cookie.line, `cookie will be ignored for ${who} (needs 'mode http').`);
  if (o.httplog && px.capabilities.frontend) {
    warn(
      px.file,
      px.line,
      `'option httplog' not usable with ${who} (needs 'mode http'). Falling back to 'option tcplog'.`,
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
export function validateUserlists(userlists: readonly UserlistToValidate[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const ul of userlists) {
    const groups = ul.groups.map((g) => g.name);
    const users = ul.users.map((u) => u.name);
    const hint = (word: string, candidates: string[]) => {
      // One- and two-letter names would get arbitrary suggestions.
      const h = word.length >= 3 ? suggest(word, candidates) : null;
      return h ? `; did you mean '${h}' maybe ?` : '.';
    };
    for (const u of ul.users) {
      for (const g of u.groups) {
        if (!groups.includes(g)) {
          out.push(
            alert(
              ul.file,
              u.line,
              CODES.unknownReference,
              `userlist '${ul.name}': no such group '${g}' specified in user '${u.name}'${hint(g, groups)}`,
            ),
          );
        }
      }
    }
    for (const g of ul.groups) {
      for (const u of g.users) {
        if (!users.includes(u)) {
          out.push(
            alert(
              ul.file,
              g.line,
              CODES.unknownReference,
              `userlist '${ul.name}': no such user '${u}' specified in group '${g.name}'${hint(u, users)}`,
            ),
          );
        }
      }
    }
  }
  return out;
}

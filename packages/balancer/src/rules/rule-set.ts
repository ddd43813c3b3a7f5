/**
 * A proxy's rules compiled once at start-up (from the shared-config model): its http-request,
 * legacy `redirect`, use_backend, http-response and http-after-response lists, each rule a condition
 * and an action. Rules of a `defaults` section are part of the lists of the proxies that use it
 * (the parser copies them first, so they run first, as in HAProxy 2.5+). Anything that cannot be
 * compiled — a fetch, converter, action or predefined ACL not implemented — is an LbError naming the
 * rule's file:line: the balancer does not start with a rule it would not apply.
 */
import { readFileSync } from 'node:fs';
import type { HaproxyProxy, HttpRule } from '@ha-lb/shared-config/haproxy';
import { parseSampleExpression } from '@ha-lb/shared-config/haproxy';
import type { Userlist } from '../auth/userlist.ts';
import { LB_ERR, LbError } from '../errors.ts';
import { DEFAULT_REALM } from '../stats/stats-config.ts';
import type { Predicate } from './acl.ts';
import type { ActionEnv, Run, Verdict } from './actions/action.ts';
import { CONTINUE } from './actions/action.ts';
import { APPLIED_ACTIONS, actionName, compileAction } from './actions/index.ts';
import { AclSet, compileCondition } from './condition.ts';
import type { RuleContext } from './context.ts';
import { RuleError } from './expression.ts';
import { compileFormat, type Format, isConstantFormat } from './log-format.ts';

export interface CompiledRule {
  cond: Predicate | null;
  run: Run;
}

export interface BackendSwitch {
  cond: Predicate | null;
  /** a constant name, or a log-format evaluated per request (`use_backend %[…]`) */
  name: string | Format;
}

/** `capture request|response header NAME len N`, in declaration order (their `capture.req.hdr(N)` index). */
export interface HeaderCapture {
  lower: string;
  len: number;
}

/** The proxy's stats page rules: `stats http-request allow|deny|auth` and `stats admin if|unless`. */
export interface StatsRules {
  httpRequest: CompiledRule[];
  /** one per `stats admin` line (the admin form is offered when one holds); empty: no admin */
  admin: Predicate[];
}

export interface ProxyRules {
  name: string;
  /** null when the proxy's stats page has neither `stats http-request` nor `stats admin` */
  stats: StatsRules | null;
  reqCaptures: HeaderCapture[];
  resCaptures: HeaderCapture[];
  httpRequest: CompiledRule[];
  redirects: CompiledRule[];
  useBackends: BackendSwitch[];
  httpResponse: CompiledRule[];
  httpAfterResponse: CompiledRule[];
}

export interface RuleFiles {
  /** the absolute path of a file named in the configuration */
  resolve(path: string, file: string): string;
  /** the mode of backend `name` (null: no such backend), to refuse use_backend across modes */
  modeOf?(name: string): 'http' | 'tcp' | null;
  /** the configuration's `userlist NAME` (http_auth*), null when there is none */
  userlist?(name: string): Userlist | null;
}

/** What `stats http-request` may do (configuration.txt §4.2: allow, deny, auth). */
const STATS_ACTIONS = ['allow', 'deny', 'auth'];

/** Runs one rule list; the verdict of the first action that stops it, else CONTINUE. */
export function runRules(list: readonly CompiledRule[], c: RuleContext): Verdict {
  for (let i = 0; i < list.length; i++) {
    const r = list[i];
    if (r.cond !== null && !r.cond(c)) continue;
    const v = r.run(c);
    if (v !== CONTINUE) return v;
  }
  return CONTINUE;
}

function at(file: string, line: number, what: string, e: unknown): never {
  if (e instanceof RuleError)
    throw new LbError(LB_ERR.CONFIG, `parsing [${file}:${line}] : ${what}: ${e.message}.`, { cause: e });
  throw e;
}

/** Null when the proxy has no rule at all (the session then skips the rule engine). */
export function compileProxyRules(
  p: HaproxyProxy,
  files: RuleFiles,
  errorfiles: Map<number, Buffer>,
  /** `unsafe-ignore-unimplemented`: leave out rules whose action is not implemented (in-effect.ts warns) */
  unsafe = false,
): ProxyRules | null {
  const declared = p.other.some((d) => d.keyword === 'declare');
  const st = p.stats?.enabled ? p.stats : null;
  const hasStatsRules = st !== null && (st.httpRequest.length > 0 || st.admin.length > 0);
  if (
    !hasStatsRules &&
    p.captures.length === 0 &&
    p.httpRequestRules.length === 0 &&
    p.httpResponseRules.length === 0 &&
    p.httpAfterResponseRules.length === 0 &&
    p.redirects.length === 0 &&
    p.useBackends.length === 0
  )
    return null;
  const read = (path: string) => readFileSync(files.resolve(path, p.file), 'latin1');
  const userlist = (name: string) => files.userlist?.(name) ?? null;
  const base = { loadPatterns: read, loadMap: read, readFile: read, errorfiles, userlist, proxy: p.name };
  const acls = new AclSet(p.acls, base);
  const list = (rules: readonly HttpRule[], kind: ActionEnv['list']): CompiledRule[] =>
    rules
      .filter((r) => !unsafe || (APPLIED_ACTIONS[kind] as readonly string[]).includes(actionName(r)))
      .map((r) => {
        const env: ActionEnv = { ...base, place: kind === 'http-request' ? 'req' : 'res', list: kind };
        const label = `'${kind} ${r.action === 'other' ? r.name : r.action}'`;
        try {
          return { cond: compileCondition(r.cond, acls, env.place, env), run: compileAction(r, env) };
        } catch (e) {
          return at(r.file, r.line, label, e);
        }
      });
  const reqEnv: ActionEnv = { ...base, place: 'req', list: 'http-request' };
  const caps = (kind: 'request header' | 'response header') =>
    p.captures.filter((c) => c.kind === kind).map((c) => ({ lower: c.name.toLowerCase(), len: c.len }));
  const statsEnv: ActionEnv = { ...reqEnv, proxy: st?.realm ?? DEFAULT_REALM };
  const stats: StatsRules | null = !hasStatsRules
    ? null
    : {
        httpRequest: st!.httpRequest.map((r) => {
          const name = actionName(r);
          try {
            if (!STATS_ACTIONS.includes(name))
              throw new RuleError(`'${name}' is not a stats http-request action (allow, deny or auth)`);
            return { cond: compileCondition(r.cond, acls, 'req', statsEnv), run: compileAction(r, statsEnv) };
          } catch (e) {
            return at(r.file, r.line, `'stats http-request ${name}'`, e);
          }
        }),
        admin: st!.admin.map((cond) => {
          try {
            return compileCondition(cond, acls, 'req', statsEnv) ?? (() => true);
          } catch (e) {
            return at(st!.file, st!.line, "'stats admin'", e);
          }
        }),
      };
  return {
    name: p.name,
    stats,
    // `declare capture` shares the slot numbers: without it built, captures are left out rather than misnumbered
    reqCaptures: declared || !p.capabilities.frontend ? [] : caps('request header'),
    resCaptures: declared || !p.capabilities.frontend ? [] : caps('response header'),
    httpRequest: list(p.httpRequestRules, 'http-request'),
    redirects: p.redirects.map((r) => {
      try {
        return { cond: compileCondition(r.cond, acls, 'req', reqEnv), run: compileAction(r, reqEnv) };
      } catch (e) {
        return at(r.file, r.line, "'redirect'", e);
      }
    }),
    useBackends: p.useBackends.map((u) => {
      try {
        const cond = compileCondition(u.cond, acls, 'req', reqEnv);
        if (isConstantFormat(u.backend)) {
          const name = u.backend.replace(/%%/g, '%');
          if (files.modeOf?.(name) === 'tcp')
            throw new RuleError(
              `unable to use backend '${name}' in mode 'tcp' from a frontend in mode '${p.mode}'`,
            );
          return { cond, name };
        }
        // `use_backend %[…]`: checked like a sample expression at start-up
        for (const m of u.backend.matchAll(/%\[([^\]]*)\]/g)) {
          const parsed = parseSampleExpression(m[1]);
          if (!parsed.ok) throw new RuleError(parsed.error);
        }
        return { cond, name: compileFormat(u.backend, 'req', reqEnv) };
      } catch (e) {
        return at(u.file, u.line, "'use_backend'", e);
      }
    }),
    httpResponse: list(p.httpResponseRules, 'http-response'),
    httpAfterResponse: list(p.httpAfterResponseRules, 'http-after-response'),
  };
}

/**
 * A proxy's rules compiled once at start-up (from the shared-config model): its http-request,
 * legacy `redirect`, use_backend, http-response and http-after-response lists, each rule a condition
 * and an action. Rules of a `defaults` section are part of the lists of the proxies that use it
 * (the parser copies them first, so they run first, as in HAProxy 2.5+). Anything that cannot be
 * compiled — a fetch, converter, action or predefined ACL not implemented — is an LbError naming the
 * rule's file:line: the balancer does not start with a rule it would not apply.
 */
import { readFileSync } from 'node:fs';
import type { AclCriterion, Condition, HaproxyProxy, HttpRule } from '@ha-lb/shared-config/haproxy';
import { parseSampleExpression } from '@ha-lb/shared-config/haproxy';
import type { Userlist } from '../auth/userlist.ts';
import { LB_ERR, LbError, LineError } from '../errors.ts';
import { DEFAULT_REALM } from '../stats/stats-config.ts';
import { type AclEnv, compileCriterion, type Predicate } from './acl.ts';
import type { ActionEnv, CaptureSlots, Run, Verdict } from './actions/action.ts';
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

/** `use-server NAME|%[…] { if | unless } COND` (a backend's, in file order). */
export interface ServerSwitch {
  cond: Predicate;
  /** a constant server name, or a log-format evaluated per request */
  name: string | Format;
}

/** `force-persist` / `ignore-persist` (a backend's; the first whose condition holds decides). */
export interface PersistRule {
  force: boolean;
  cond: Predicate;
}

/** `capture request|response header NAME len N`, in declaration order; `slot` is its `capture.req.hdr(N)` index. */
export interface HeaderCapture {
  lower: string;
  len: number;
  slot: number;
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
  /** the length of each capture slot (header captures, `declare capture`, `http-request capture … len`) */
  reqCapLen: number[];
  resCapLen: number[];
  httpRequest: CompiledRule[];
  redirects: CompiledRule[];
  useBackends: BackendSwitch[];
  /** a backend's force-persist / ignore-persist rules, in file order */
  persist: PersistRule[];
  /** a backend's use-server rules, in file order */
  useServers: ServerSwitch[];
  /** a frontend's `monitor fail` conditions: a monitor-uri request gets a 503 when one holds */
  monitorFail: Predicate[];
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

/**
 * A rule HAProxy would not parse, in its words: `error detected in frontend 'f' while parsing
 * 'http-request set-src' rule : missing fetch method.` (its condition: `error detected while parsing
 * an 'http-request deny' condition : …`); HAProxy stops reading there (ERR_ABORT).
 */
function ruleAt(p: HaproxyProxy, list: string, r: HttpRule, part: 'rule' | 'condition', e: unknown): never {
  if (!(e instanceof RuleError)) throw e;
  // what HAProxy accepts but the engine lacks is ours to say, after HAProxy's findings (fail closed)
  if (e.message.includes('not implemented yet'))
    return at(r.file, r.line, `'${list} ${r.action === 'other' ? r.name : r.action}'`, e);
  const kind = p.kind === 'listen' ? 'proxy' : p.kind;
  const what =
    part === 'rule'
      ? `error detected in ${kind} '${p.name}' while parsing '${list} ${actionName(r)}' rule`
      : `error detected while parsing an '${list} ${actionName(r)}' condition`;
  throw new LineError(LB_ERR.CONFIG, r.file, r.line, `${what} : ${e.message}.`, { cause: e, abort: true });
}

function at(file: string, line: number, what: string, e: unknown): never {
  if (e instanceof RuleError)
    throw new LbError(LB_ERR.CONFIG, `parsing [${file}:${line}] : ${what}: ${e.message}.`, { cause: e });
  throw e;
}

/** `use_backend %[…]` / `use-server %[…]`: each sample checked at start-up, the name a format per request. */
function dynamicName(text: string, env: ActionEnv): Format {
  for (const m of text.matchAll(/%\[([^\]]*)\]/g)) {
    const parsed = parseSampleExpression(m[1]);
    if (!parsed.ok) throw new RuleError(parsed.error);
  }
  return compileFormat(text, 'req', env);
}

/** Null when the proxy has no rule at all (the session then skips the rule engine). */
export function compileProxyRules(
  p: HaproxyProxy,
  files: RuleFiles,
  errorfiles: Map<number, Buffer>,
  /** `unsafe-ignore-unimplemented`: leave out rules whose action is not implemented (in-effect.ts warns) */
  unsafe = false,
  /** for `-c` as haproxy -c: also leave out rules that use a fetch, converter, … not implemented */
  checkOnly = false,
): ProxyRules | null {
  const declares = p.other.filter((d) => d.keyword === 'declare');
  const st = p.stats?.enabled ? p.stats : null;
  const hasStatsRules = st !== null && (st.httpRequest.length > 0 || st.admin.length > 0);
  if (
    !hasStatsRules &&
    declares.length === 0 &&
    p.captures.length === 0 &&
    p.httpRequestRules.length === 0 &&
    p.httpResponseRules.length === 0 &&
    p.httpAfterResponseRules.length === 0 &&
    p.redirects.length === 0 &&
    p.useBackends.length === 0 &&
    (p.monitorFail.length === 0 || !p.capabilities.frontend) &&
    ((p.persistRules.length === 0 && p.useServers.length === 0) || !p.capabilities.backend)
  )
    return null;
  const read = (path: string) => readFileSync(files.resolve(path, p.file), 'latin1');
  const { slots, headers } = captureSlots(p, declares);
  const userlist = (name: string) => files.userlist?.(name) ?? null;
  const base = {
    loadPatterns: read,
    loadMap: read,
    readFile: read,
    errorfiles,
    proxyName: p.name,
    tarpitMs: p.timeouts.tarpit ?? p.timeouts.connect,
    captures: slots,
    userlist,
    proxy: p.name,
    frontendOnly: !p.capabilities.backend,
  };
  const acls = new AclSet(p.acls, base);
  const list = (rules: readonly HttpRule[], kind: ActionEnv['list']): CompiledRule[] =>
    rules
      .filter(
        (r) => !(unsafe || checkOnly) || (APPLIED_ACTIONS[kind] as readonly string[]).includes(actionName(r)),
      )
      .map((r) => {
        const env: ActionEnv = { ...base, place: kind === 'http-request' ? 'req' : 'res', list: kind };
        // HAProxy reads the action's arguments, then the condition (each error in its own words)
        let part: 'rule' | 'condition' = 'rule';
        try {
          const run = compileAction(r, env);
          part = 'condition';
          return { cond: compileCondition(r.cond, acls, env.place, env), run };
        } catch (e) {
          // `-c` as haproxy -c: what the balancer does not implement is in-effect.ts's to report
          if (checkOnly && e instanceof RuleError && e.message.includes('not implemented yet')) return null;
          return ruleAt(p, kind, r, part, e);
        }
      })
      .filter((r) => r !== null);
  const reqEnv: ActionEnv = { ...base, place: 'req', list: 'http-request' };
  /** A rule whose condition is mandatory (force-/ignore-persist, use-server, monitor fail), at its line. */
  const required = (r: { cond: Condition | null; file: string; line: number }, what: string): Predicate => {
    try {
      return compileCondition(r.cond, acls, 'req', reqEnv)!;
    } catch (e) {
      return at(r.file, r.line, what, e);
    }
  };
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
  const out: ProxyRules = {
    name: p.name,
    stats,
    reqCaptures: headers.req,
    resCaptures: headers.res,
    reqCapLen: slots?.reqLen ?? [],
    resCapLen: slots?.resLen ?? [],
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
        return { cond, name: dynamicName(u.backend, reqEnv) };
      } catch (e) {
        return at(u.file, u.line, "'use_backend'", e);
      }
    }),
    persist: !p.capabilities.backend
      ? []
      : p.persistRules.map((r) => ({ force: r.type === 'force', cond: required(r, `'${r.type}-persist'`) })),
    useServers: !p.capabilities.backend
      ? []
      : p.useServers.map((u) => {
          const cond = required(u, "'use-server'");
          try {
            const name = isConstantFormat(u.server)
              ? u.server.replace(/%%/g, '%')
              : dynamicName(u.server, reqEnv);
            if (typeof name === 'string' && !p.servers.some((s) => s.name === name)) {
              // haproxy -c's words (found once the backend is complete: no file:line)
              throw new LbError(
                LB_ERR.CONFIG,
                `backend '${p.name}' : unable to find server '${name}' referenced in a 'use-server' rule.`,
              );
            }
            return { cond, name };
          } catch (e) {
            return at(u.file, u.line, "'use-server'", e);
          }
        }),
    monitorFail: !p.capabilities.frontend ? [] : p.monitorFail.map((m) => required(m, "'monitor fail'")),
    httpResponse: list(p.httpResponseRules, 'http-response'),
    httpAfterResponse: list(p.httpAfterResponseRules, 'http-after-response'),
  };
  checkUnusedAcls(acls, base);
  return out;
}

/**
 * `acl` lines no rule uses are checked as HAProxy checks every one (`error detected while parsing ACL
 * 'a' : …`); what the engine does not implement is only refused where it would be evaluated.
 */
function checkUnusedAcls(acls: AclSet, env: AclEnv): void {
  for (const a of acls.unused()) {
    try {
      compileCriterion(a as AclCriterion, 'any', env);
    } catch (e) {
      if (!(e instanceof RuleError) || e.message.includes('not implemented yet')) continue;
      throw new LineError(
        LB_ERR.CONFIG,
        a.file,
        a.line,
        `error detected while parsing ACL '${a.name}' : ${e.message}.`,
        { cause: e },
      );
    }
  }
}

type Declare = HaproxyProxy['other'][number];

/**
 * The frontend's capture slots, numbered per direction in the order they are written, as HAProxy
 * numbers them: `capture request|response header`, `declare capture request|response len N` and
 * `http-request capture EXPR len N` share one sequence. Null for a proxy without the frontend capability.
 */
function captureSlots(
  p: HaproxyProxy,
  declares: readonly Declare[],
): { slots: CaptureSlots | null; headers: { req: HeaderCapture[]; res: HeaderCapture[] } } {
  const headers = { req: [] as HeaderCapture[], res: [] as HeaderCapture[] };
  if (!p.capabilities.frontend) {
    if (declares.length > 0)
      at(
        declares[0].file,
        declares[0].line,
        "'declare'",
        new RuleError('only available in frontend or listen section'),
      );
    return { slots: null, headers };
  }
  const slots: CaptureSlots = { reqLen: [], resLen: [], slotOf: new Map() };
  const items: { line: number; add(): void }[] = [];
  for (const c of p.captures) {
    if (c.kind === 'cookie') continue;
    const res = c.kind === 'response header';
    items.push({
      line: c.line,
      add() {
        const len = res ? slots.resLen : slots.reqLen;
        (res ? headers.res : headers.req).push({ lower: c.name.toLowerCase(), len: c.len, slot: len.length });
        len.push(c.len);
      },
    });
  }
  for (const d of declares) {
    const { res, len } = declaredCapture(d);
    items.push({ line: d.line, add: () => (res ? slots.resLen : slots.reqLen).push(len) });
  }
  for (const r of p.httpRequestRules) {
    if (r.action !== 'other' || r.name !== 'capture' || r.args[1] !== 'len') continue;
    const len = Number(r.args[2]);
    if (!(len > 0)) continue; // the action's compiler says what is wrong
    items.push({
      line: r.line,
      add() {
        slots.slotOf.set(r, slots.reqLen.length);
        slots.reqLen.push(len);
      },
    });
  }
  items.sort((a, b) => a.line - b.line);
  for (const i of items) i.add();
  return { slots, headers };
}

/** `declare capture request|response len N`, with HAProxy's messages. */
function declaredCapture(d: Declare): { res: boolean; len: number } {
  const a = d.args[0] === 'declare' ? d.args.slice(1) : d.args;
  const fail = (m: string): never => at(d.file, d.line, "'declare capture'", new RuleError(m));
  if (a[0] !== 'capture')
    at(
      d.file,
      d.line,
      "'declare'",
      new RuleError(`unknown declaration type '${a[0] ?? ''}' (supports 'capture')`),
    );
  if (a[1] !== 'request' && a[1] !== 'response') fail("requires a direction ('request' or 'response')");
  if (a[2] !== 'len') fail("requires a capture length ('len')");
  const len = /^[0-9]+$/.test(a[3] ?? '') ? Number(a[3]) : 0;
  if (!(len > 0)) fail(`cannot parse the length '${a[3] ?? ''}'`);
  if (a.length > 4) fail(`unexpected argument '${a[4]}'`);
  return { res: a[1] === 'response', len };
}

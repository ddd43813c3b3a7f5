/**
 * Content inspection of a `mode tcp` frontend (configuration.txt §4.2 `tcp-request content`,
 * `tcp-request inspect-delay`): its content rules and its use_backend rules, compiled once. The
 * session (tcp/content-inspection.ts) evaluates the rules each time bytes arrive, as HAProxy's
 * tcp_inspect_request does: from the first rule on, a condition that cannot be decided yet
 * (MISS: a fetch wants more bytes) stops the evaluation until more data comes or the delay ends;
 * then every condition is final. The first matching accept or reject decides; no decision at the
 * end of the list accepts. use_backend conditions are evaluated once, final, after that.
 */
import type { HaproxyProxy, TcpRule } from '@ha-lb/shared-config/haproxy';
import { parseSampleExpression } from '@ha-lb/shared-config/haproxy';
import { LB_ERR, LbError } from '../errors.ts';
import type { AclEnv, Predicate } from './acl.ts';
import { AclSet, compileCondition, compileTriCondition, MISS, PASS, type TriPredicate } from './condition.ts';
import type { RuleContext } from './context.ts';
import { compileExpr, RuleError } from './expression.ts';
import { compileFormat, type Format, isConstantFormat } from './log-format.ts';

/** The content actions applied (the others of HAProxy 2.6 stay refused: in-effect.ts). */
export const TCP_CONTENT_ACTIONS = ['accept', 'reject', 'set-var', 'unset-var'] as const;

/** The tcp-response content actions applied (HAProxy 2.6 has set-var, sc-*, lua… too: refused). */
export const TCP_RESPONSE_ACTIONS = ['accept', 'reject', 'close'] as const;

export const ACCEPT = 0;
export const REJECT = 1;
export const WAIT = 2;
/** `tcp-response content close`: what came goes to the client, then the connection closes */
export const CLOSE = 3;
export type Decision = typeof ACCEPT | typeof REJECT | typeof WAIT | typeof CLOSE;

export interface ContentRule {
  cond: TriPredicate | null;
  /** ACCEPT, REJECT or CLOSE end the evaluation; a `run` action goes on with the next rule */
  ends: typeof ACCEPT | typeof REJECT | typeof CLOSE | null;
  run: ((c: RuleContext) => void) | null;
}

export interface TcpSwitch {
  cond: Predicate | null;
  name: string | Format;
}

export interface TcpContent {
  rules: readonly ContentRule[];
  /** `tcp-request inspect-delay`, ms; 0: rules see what is there at once */
  delay: number;
  useBackends: readonly TcpSwitch[];
}

const SCOPED = /^(set-var|unset-var)\(((proc|sess|txn|req|res)\.[A-Za-z0-9_.]+)\)$/;

/** One `tcp-request content` rule's action (throws RuleError with what is wrong). */
export function compileContentAction(
  r: TcpRule,
  env: AclEnv,
  place: 'l4' | 'l6' = 'l6',
): Pick<ContentRule, 'ends' | 'run'> {
  if (r.action === 'accept' || r.action === 'reject') {
    if (r.args.length > 0) throw new RuleError(`unexpected argument '${r.args[0]}'`);
    return { ends: r.action === 'accept' ? ACCEPT : REJECT, run: null };
  }
  const m = SCOPED.exec(r.action);
  if (m === null) {
    const v = /^(?:set-var|unset-var)\((.*)\)$/.exec(r.action);
    if (v !== null)
      throw new RuleError(
        `invalid variable name '${v[1]}'. A variable name must be start by its scope. The scope can be 'proc', 'sess', 'txn', 'req', 'res' or 'check'`,
      );
    throw new RuleError(`'tcp-request ${r.stage} ${r.action.replace(/\(.*$/, '')}' is not implemented yet`);
  }
  const key = m[2];
  const scope = m[3];
  if (m[1] === 'unset-var') {
    if (r.args.length > 0) throw new RuleError(`unexpected argument '${r.args[0]}'`);
    return { ends: null, run: (c) => void c.vars(scope).delete(key) };
  }
  if (r.args.length !== 1) throw new RuleError(`expects exactly one sample expression, got ${r.args.length}`);
  const p = parseSampleExpression(r.args[0]);
  if (!p.ok) throw new RuleError(p.error);
  const one = compileExpr(p.value, place, env).one;
  return {
    ends: null,
    // HAProxy evaluates the expression as final (vars.c: SMP_OPT_FINAL): what is there now
    run: (c) => {
      const was = c.final;
      c.final = true;
      const v = one(c);
      c.final = was;
      if (v !== null) c.vars(scope).set(key, v);
    },
  };
}

/**
 * A mode tcp frontend's content rules and use_backend, or a mode tcp backend's content rules (no
 * use_backend there). Null when there is nothing to evaluate: its sessions inspect nothing.
 */
export function compileTcpContent(
  p: HaproxyProxy,
  read: (path: string) => string,
  unsafe: boolean,
  modeOf: (name: string) => 'http' | 'tcp' | null,
): TcpContent | null {
  const rules = p.tcpRequestRules.filter(
    (r) =>
      r.stage === 'content' &&
      (!unsafe || (TCP_CONTENT_ACTIONS as readonly string[]).includes(r.action.replace(/\(.*$/, ''))),
  );
  // a backend's own content rules run after the frontend chose it (a listen section's run once, as a frontend's)
  const backendOnly = !p.capabilities.frontend;
  if (rules.length === 0 && (backendOnly || p.useBackends.length === 0)) return null;
  const env: AclEnv = { loadPatterns: read, loadMap: read };
  const acls = new AclSet(p.acls, env);
  const compiled = rules.map((r): ContentRule => {
    try {
      const a = compileContentAction(r, env);
      return { cond: compileTriCondition(r.cond, acls, 'l6', env), ...a };
    } catch (e) {
      if (e instanceof RuleError)
        throw new LbError(
          LB_ERR.CONFIG,
          `parsing [${r.file}:${r.line}] : 'tcp-request content ${r.action.replace(/\(.*$/, '')}': ${e.message}.`,
          { cause: e },
        );
      throw e;
    }
  });
  const useBackends = (backendOnly ? [] : p.useBackends).map((u): TcpSwitch => {
    try {
      const cond = compileCondition(u.cond, acls, 'l6', env);
      if (!isConstantFormat(u.backend)) return { cond, name: compileFormat(u.backend, 'l6', env) };
      const name = u.backend.replace(/%%/g, '%');
      if (modeOf(name) === 'http')
        throw new RuleError(
          `a backend in mode 'http' ('${name}') from a frontend in mode 'tcp' is not implemented yet`,
        );
      return { cond, name };
    } catch (e) {
      if (e instanceof RuleError)
        throw new LbError(LB_ERR.CONFIG, `parsing [${u.file}:${u.line}] : 'use_backend': ${e.message}.`, {
          cause: e,
        });
      throw e;
    }
  });
  return { rules: compiled, delay: p.tcpRequestInspectDelay ?? 0, useBackends };
}

/**
 * A mode tcp backend's `tcp-response inspect-delay` and `tcp-response content accept|reject|close`
 * (null: none, the server's bytes are not held). In mode http they are refused (not built).
 */
export function compileTcpResponse(
  p: HaproxyProxy,
  read: (path: string) => string,
  unsafe: boolean,
): TcpContent | null {
  const rules = p.tcpResponseRules.filter(
    (r) => !unsafe || (TCP_RESPONSE_ACTIONS as readonly string[]).includes(r.action),
  );
  if (!p.capabilities.backend || rules.length === 0) return null;
  const env: AclEnv = { loadPatterns: read, loadMap: read };
  const acls = new AclSet(p.acls, env);
  const compiled = rules.map((r): ContentRule => {
    try {
      if (p.mode !== 'tcp') throw new RuleError("'tcp-response content' in mode http is not implemented yet");
      if (!(TCP_RESPONSE_ACTIONS as readonly string[]).includes(r.action))
        throw new RuleError(`'tcp-response content ${r.action.replace(/\(.*$/, '')}' is not implemented yet`);
      if (r.args.length > 0) throw new RuleError(`unexpected argument '${r.args[0]}'`);
      const ends = r.action === 'accept' ? ACCEPT : r.action === 'reject' ? REJECT : CLOSE;
      return { cond: compileTriCondition(r.cond, acls, 'l6res', env), ends, run: null };
    } catch (e) {
      if (e instanceof RuleError)
        throw new LbError(
          LB_ERR.CONFIG,
          `parsing [${r.file}:${r.line}] : 'tcp-response content ${r.action.replace(/\(.*$/, '')}': ${e.message}.`,
          { cause: e },
        );
      throw e;
    }
  });
  return { rules: compiled, delay: p.tcpResponseInspectDelay ?? 0, useBackends: [] };
}

/** One evaluation of the content rules on what `c.payload` (`c.resPayload`) holds now (c.final: no more will come). */
export function inspectContent(tc: TcpContent, c: RuleContext): Decision {
  const rules = tc.rules;
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i];
    if (r.cond !== null) {
      const v = r.cond(c);
      if (v === MISS) return WAIT;
      if (v !== PASS) continue;
    }
    if (r.ends !== null) return r.ends;
    r.run!(c);
  }
  return ACCEPT;
}

/** The backend use_backend names (null: none matched, the default backend serves). */
export function switchBackend(tc: TcpContent, c: RuleContext): string | null {
  const was = c.final;
  c.final = true;
  try {
    for (const u of tc.useBackends) {
      if (u.cond !== null && !u.cond(c)) continue;
      return typeof u.name === 'string' ? u.name : u.name(c);
    }
    return null;
  } finally {
    c.final = was;
  }
}

/**
 * `tcp-request connection|session|content accept|reject [if|unless COND]` of a frontend, evaluated
 * once when a connection is accepted, in HAProxy's order (connection, session, content rules; in each
 * list the first matching accept ends it, a matching reject closes the connection). Conditions may only
 * use what is known at that point (layer-4 fetches: src, dst, ports, …): with those, HAProxy decides at
 * once too, whatever `tcp-request inspect-delay` says. The content rules of a `mode tcp` frontend are
 * not here: they wait for content (rules/tcp-content.ts). In mode http, content rules see layer-4
 * fetches only (a condition on the request's content is a start-up error). Other tcp-request actions
 * stay refused (in-effect.ts).
 */
import type net from 'node:net';
import type { HaproxyProxy, TcpRule } from '@ha-lb/shared-config/haproxy';
import { LB_ERR, LbError } from '../errors.ts';
import { normalizeClientAddress } from '../http/forwardfor.ts';
import { clientTlsOf } from '../tls/tls-info.ts';
import type { Predicate } from './acl.ts';
import { AclSet, compileCondition } from './condition.ts';
import { RuleContext, type RuleEnv } from './context.ts';
import { RuleError } from './expression.ts';
import { ACCEPT, compileContentAction, TCP_CONTENT_ACTIONS } from './tcp-content.ts';

export const TCP_ACTIONS = ['accept', 'reject'] as const;
export const TCP_STAGES = ['connection', 'session', 'content'] as const;

interface TcpStep {
  cond: Predicate | null;
  accept: boolean;
  /** `tcp-request content set-var|unset-var`: runs, and the next rule follows */
  run: ((c: RuleContext) => void) | null;
}

/** The rules of one frontend, by stage, in evaluation order. */
export type TcpRules = readonly (readonly TcpStep[])[];

export function compileTcpRules(
  p: HaproxyProxy,
  read: (path: string) => string,
  unsafe: boolean,
): TcpRules | null {
  // in mode tcp the content rules wait for content (rules/tcp-content.ts, run by the session)
  const rules = p.tcpRequestRules.filter(
    (r) =>
      (!unsafe ||
        (r.stage === 'content' ? (TCP_CONTENT_ACTIONS as readonly string[]) : TCP_ACTIONS).includes(
          r.action.replace(/\(.*$/, ''),
        )) &&
      !(p.mode === 'tcp' && r.stage === 'content'),
  );
  if (rules.length === 0) return null;
  if (!p.capabilities.frontend) {
    const r = rules[0];
    throw new LbError(
      LB_ERR.CONFIG,
      `parsing [${r.file}:${r.line}] : 'tcp-request ${r.stage} ${r.action}' in a${r.stage === 'content' ? ' mode http' : ''} backend is not implemented yet (write it in the frontend).`,
    );
  }
  const env = { loadPatterns: read, loadMap: read };
  const acls = new AclSet(p.acls, env);
  const compile = (r: TcpRule): TcpStep => {
    try {
      if (r.stage === 'content') {
        const a = compileContentAction(r, env, 'l4');
        return { cond: compileCondition(r.cond, acls, 'l4', env), accept: a.ends === ACCEPT, run: a.run };
      }
      if (!(TCP_ACTIONS as readonly string[]).includes(r.action))
        throw new RuleError(`'tcp-request ${r.stage} ${r.action}' is not implemented yet`);
      return { cond: compileCondition(r.cond, acls, 'l4', env), accept: r.action === 'accept', run: null };
    } catch (e) {
      if (e instanceof RuleError)
        throw new LbError(
          LB_ERR.CONFIG,
          `parsing [${r.file}:${r.line}] : 'tcp-request ${r.stage} ${r.action}': ${e.message}.`,
          { cause: e },
        );
      throw e;
    }
  };
  return TCP_STAGES.map((stage) => rules.filter((r) => r.stage === stage).map(compile));
}

// connections are judged synchronously, one at a time: one context serves them all
const CTX = new RuleContext();

/** What acceptConnection() decided: go on, or the stage whose `reject` closes the connection. */
export const ACCEPTED = -1;

/**
 * ACCEPTED when the connection may go on; else the index in TCP_STAGES of the stage that rejected it
 * (the caller closes it and counts it: dcon, dses or dreq as HAProxy does).
 */
export function acceptConnection(rules: TcpRules, feName: string, env: RuleEnv, sock: net.Socket): number {
  const c = CTX;
  c.resetRequest();
  c.sessVars.clear();
  c.env = env;
  c.feName = feName;
  c.beName = feName;
  c.src = normalizeClientAddress(sock.remoteAddress);
  c.srcPort = sock.remotePort ?? 0;
  c.dst = normalizeClientAddress(sock.localAddress);
  c.dstPort = sock.localPort ?? 0;
  c.tls = clientTlsOf(sock);
  for (let k = 0; k < rules.length; k++) {
    const stage = rules[k];
    for (let i = 0; i < stage.length; i++) {
      const r = stage[i];
      if (r.cond !== null && !r.cond(c)) continue;
      if (r.run !== null) {
        r.run(c);
        continue;
      }
      if (!r.accept) return k;
      break;
    }
  }
  return ACCEPTED;
}

/** What every action file exports: a compiler from the parsed rule to a function of the context. */
import type { HttpRule } from '@ha-lb/shared-config/haproxy';
import type { AclEnv } from '../acl.ts';
import type { RuleContext } from '../context.ts';
import type { Place } from '../expression.ts';

/** Go on with the next rule. */
export const CONTINUE = 0;
/** Stop this rule list (`allow`); the next evaluation point still runs. */
export const STOP = 1;
/** The transaction is answered or cut (`deny`, `return`, `redirect`, `reject`): c.reply / c.reject say how. */
export const DONE = 2;
export type Verdict = typeof CONTINUE | typeof STOP | typeof DONE;

export type Run = (c: RuleContext) => Verdict;

export interface ActionEnv extends AclEnv {
  /** `req` for http-request, `res` for http-response and http-after-response */
  place: Place;
  /** which rule list: decides the defaults of deny (403 vs 502) */
  list: 'http-request' | 'http-response' | 'http-after-response';
  /** reads a `file`/`lf-file` body */
  readFile(path: string): string;
  /** the proxy's errorfiles (a plain deny answers with the 403 page) */
  errorfiles: Map<number, Buffer>;
  /** the proxy's name, for messages */
  proxyName: string;
  /** the name of the proxy the rule is written in (`http-request auth`'s default realm) */
  proxy?: string;
  /** `timeout tarpit`, else `timeout connect` (null: neither is set) */
  tarpitMs: number | null;
  /** the proxy's capture slots; null when it has no frontend capability */
  captures: CaptureSlots | null;
}

/**
 * A frontend's capture slots in declaration order (`capture request|response header`, `declare
 * capture`, `http-request capture … len`): their lengths, and the slot of each `capture … len` rule.
 */
export interface CaptureSlots {
  reqLen: number[];
  resLen: number[];
  slotOf: Map<HttpRule, number>;
}

export type ActionCompiler<R extends HttpRule = HttpRule> = (rule: R, env: ActionEnv) => Run;

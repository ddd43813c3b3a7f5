/**
 * The actions we apply, by name; anything else is refused at start-up (config/in-effect.ts says so
 * first, this is the backstop). `APPLIED_ACTIONS` is what in-effect.ts marks applied per rule list.
 */
import type { HttpRule } from '@ha-lb/shared-config/haproxy';
import { RuleError } from '../expression.ts';
import type { ActionEnv, Run } from './action.ts';
import { compileAllow } from './allow.ts';
import { compileAuth } from './auth.ts';
import { compileCapture } from './capture.ts';
import { compileDeny } from './deny.ts';
import { compileDelHeader, compileReplaceHeader, compileSetHeader } from './headers.ts';
import { compileRedirect } from './redirect.ts';
import { compileReject } from './reject.ts';
import { compileReturn } from './return.ts';
import { compileSetAddr } from './set-addr.ts';
import { compileSetLogLevel } from './set-log-level.ts';
import { compileSetStatus } from './set-status.ts';
import { compileSetVar, compileUnsetVar } from './set-var.ts';
import { compileTarpit } from './tarpit.ts';
import { compileReplaceUri, compileSetUri } from './uri.ts';
import { compileUseService } from './use-service.ts';

export const APPLIED_ACTIONS = {
  'http-request': [
    'allow',
    'deny',
    'reject',
    'tarpit',
    'return',
    'redirect',
    'set-header',
    'add-header',
    'del-header',
    'replace-header',
    'replace-value',
    'set-path',
    'set-pathq',
    'set-query',
    'set-uri',
    'set-method',
    'replace-path',
    'replace-pathq',
    'replace-uri',
    'set-var',
    'unset-var',
    'set-src',
    'set-src-port',
    'set-dst',
    'set-dst-port',
    'capture',
    'set-log-level',
    'use-service',
    'auth',
  ],
  'http-response': [
    'allow',
    'deny',
    'return',
    'set-header',
    'add-header',
    'del-header',
    'replace-header',
    'replace-value',
    'set-status',
    'set-var',
    'unset-var',
    'capture',
    'set-log-level',
    'redirect',
  ],
  'http-after-response': [
    'allow',
    'set-header',
    'add-header',
    'del-header',
    'replace-header',
    'replace-value',
    'set-status',
    'set-var',
    'unset-var',
    'capture',
  ],
} as const;

/** The action name as in-effect.ts and messages use it (`set-var(txn.x)` → `set-var`). */
export function actionName(rule: HttpRule): string {
  if (rule.action === 'other') return rule.name.replace(/\(.*$/, '');
  return rule.action;
}

export function compileAction(rule: HttpRule, env: ActionEnv): Run {
  const name = actionName(rule);
  if (!(APPLIED_ACTIONS[env.list] as readonly string[]).includes(name)) {
    throw new RuleError(`'${env.list} ${name}' is not implemented yet`);
  }
  switch (rule.action) {
    case 'allow':
      return compileAllow(rule, env);
    case 'auth':
      return compileAuth(rule, env);
    case 'deny':
    case 'tarpit':
      return rule.action === 'tarpit' ? compileTarpit(rule, env) : compileDeny(rule, env);
    case 'return':
      return compileReturn(rule, env);
    case 'redirect':
      return compileRedirect(rule, env);
    case 'set-header':
    case 'add-header':
      return compileSetHeader(rule, env);
    case 'del-header':
      return compileDelHeader(rule, env);
    case 'replace-header':
    case 'replace-value':
      return compileReplaceHeader(rule, env);
    case 'set-path':
    case 'set-pathq':
    case 'set-query':
    case 'set-uri':
    case 'set-method':
      return compileSetUri(rule, env);
    case 'replace-path':
    case 'replace-pathq':
    case 'replace-uri':
      return compileReplaceUri(rule, env);
    case 'set-status':
      return compileSetStatus(rule, env);
    case 'set-var':
      return compileSetVar(rule, env);
    case 'other':
      if (name === 'reject') return compileReject(rule, env);
      if (name === 'unset-var') return compileUnsetVar(rule.name)(rule, env);
      if (name === 'set-src' || name === 'set-src-port' || name === 'set-dst' || name === 'set-dst-port')
        return compileSetAddr(name)(rule, env);
      if (name === 'capture') return compileCapture(rule, env);
      if (name === 'set-log-level') return compileSetLogLevel(rule, env);
      if (name === 'use-service') return compileUseService(rule, env);
      break;
    default:
      break;
  }
  throw new RuleError(`'${env.list} ${name}' is not implemented yet`);
}

/**
 * Header rewriting: `set-header` / `add-header NAME FMT`, `del-header NAME [-m str|beg|end|sub|reg]`,
 * `replace-header` / `replace-value NAME REGEX FMT`. They act on the message of their rule list
 * (request for http-request, response otherwise) through the HeadView, so later rules see them.
 */
import type { HttpRule } from '@ha-lb/shared-config/haproxy';
import type { RuleContext } from '../context.ts';
import { type HeadView, hashOfLower } from '../head-view.ts';
import { compileFormat } from '../log-format.ts';
import { type ActionCompiler, type ActionEnv, CONTINUE } from './action.ts';
import { expandGroups } from './regex-replace.ts';

const viewOf = (env: ActionEnv): ((c: RuleContext) => HeadView) =>
  env.place === 'req' ? (c) => c.req : (c) => c.res;

export const compileSetHeader: ActionCompiler<
  Extract<HttpRule, { action: 'set-header' | 'add-header' | 'early-hint' }>
> = (rule, env) => {
  const fmt = compileFormat(rule.format, env.place, env);
  const lower = rule.name.toLowerCase();
  const hash = hashOfLower(lower);
  const name = rule.name;
  const view = viewOf(env);
  if (rule.action === 'add-header')
    return (c) => {
      view(c).add(name, fmt(c));
      return CONTINUE;
    };
  return (c) => {
    // the value is computed before the old lines go (a format may read the header it replaces)
    const v = fmt(c);
    const h = view(c);
    h.removeAll(lower, hash);
    h.add(name, v);
    return CONTINUE;
  };
};

export const compileDelHeader: ActionCompiler<Extract<HttpRule, { action: 'del-header' }>> = (rule, env) => {
  const view = viewOf(env);
  const lower = rule.name.toLowerCase();
  if (rule.method === 'str') {
    const hash = hashOfLower(lower);
    return (c) => {
      view(c).removeAll(lower, hash);
      return CONTINUE;
    };
  }
  const re = rule.method === 'reg' ? new RegExp(rule.name) : null;
  const test =
    rule.method === 'beg'
      ? (n: string) => n.toLowerCase().startsWith(lower)
      : rule.method === 'end'
        ? (n: string) => n.toLowerCase().endsWith(lower)
        : rule.method === 'sub'
          ? (n: string) => n.toLowerCase().includes(lower)
          : (n: string) => re!.test(n);
  return (c) => {
    const h = view(c);
    const size = h.size;
    for (let i = 0; i < size; i++) if (h.live(i) && test(h.nameAt(i))) h.remove(i);
    return CONTINUE;
  };
};

export const compileReplaceHeader: ActionCompiler<
  Extract<HttpRule, { action: 'replace-header' | 'replace-value' }>
> = (rule, env) => {
  const view = viewOf(env);
  const lower = rule.name.toLowerCase();
  const re = new RegExp(rule.regex);
  const fmt = compileFormat(rule.replace, env.place, env);
  const perValue = rule.action === 'replace-value';
  return (c) => {
    const h = view(c);
    const size = h.size;
    let repl: string | null = null;
    for (let i = 0; i < size; i++) {
      if (!h.live(i) || !h.nameIs(i, lower)) continue;
      const value = h.valueAt(i);
      repl ??= fmt(c);
      if (!perValue) {
        const m = re.exec(value);
        if (m !== null) h.replace(i, expandGroups(repl, m));
        continue;
      }
      let changed = false;
      const parts = value.split(',');
      for (let k = 0; k < parts.length; k++) {
        const t = parts[k].trim();
        const m = re.exec(t);
        if (m !== null) {
          parts[k] = expandGroups(repl, m);
          changed = true;
        }
      }
      if (changed) h.replace(i, parts.join(','));
    }
    return CONTINUE;
  };
};

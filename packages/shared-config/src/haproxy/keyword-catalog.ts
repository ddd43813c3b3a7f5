/**
 * Every feature key the parser can record as a `KeywordUse` (see keyword-use.ts), from its keyword
 * tables. The balancer's test walks this list to prove each key has a decided effect (applied, inert,
 * warned or refused) rather than falling through to a default.
 */
import { BIND_OPTIONS } from './bind-options.ts';
import { GLOBAL_KEYWORDS, SELF_APPLIED_GLOBAL } from './global-keywords.ts';
import { BALANCE_ALGOS } from './proxy/balance.ts';
import { ALL_OPTIONS } from './proxy/option.ts';
import { STATS_SUB } from './proxy/stats.ts';
import { TIMEOUTS } from './proxy/timeout.ts';
import { PROXY_KEYWORDS } from './proxy-keywords.ts';
import { SERVER_OPTIONS, serverOptionStatusKey } from './server-options.ts';

/** Keywords whose uses are keyed by their first argument, never alone. */
const FAMILIES = new Set(['option', 'timeout', 'stats', 'balance', 'contimeout', 'clitimeout', 'srvtimeout']);

export function keywordCatalog(): string[] {
  const keys = new Set<string>();
  for (const kw of Object.keys(GLOBAL_KEYWORDS)) {
    if (SELF_APPLIED_GLOBAL.has(kw)) continue;
    keys.add(kw === 'maxconn' ? 'global maxconn' : kw === 'stats' ? 'stats socket' : kw);
  }
  for (const sub of ['timeout', 'maxconn', 'bind-process']) keys.add(`stats ${sub}`);
  for (const kw of Object.keys(PROXY_KEYWORDS)) if (!FAMILIES.has(kw)) keys.add(kw);
  for (const o of ALL_OPTIONS) keys.add(`option ${o}`);
  for (const t of Object.keys(TIMEOUTS)) keys.add(`timeout ${t}`);
  for (const s of STATS_SUB) keys.add(`stats ${s}`);
  for (const a of BALANCE_ALGOS) keys.add(`balance ${a}`);
  for (const o of Object.keys(BIND_OPTIONS)) keys.add(`bind ${o}`);
  for (const o of Object.keys(SERVER_OPTIONS)) keys.add(serverOptionStatusKey(o));
  keys.add('server port-offset');
  keys.add('server any-address');
  for (const s of [
    'userlist',
    'peers',
    'resolvers',
    'mailers',
    'cache',
    'ring',
    'program',
    'fcgi-app',
    'log-forward',
  ])
    keys.add(`section ${s}`);
  return [...keys].sort();
}

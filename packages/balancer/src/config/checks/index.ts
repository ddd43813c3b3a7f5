/**
 * The balancer's checks of a parsed configuration: what HAProxy 2.6 finds beyond the language itself
 * (files it opens while reading, references it resolves afterwards), each a small function over the
 * model with the HAProxy source it follows in its comment. `-c` and start-up both run them (load.ts).
 */
import type { Diagnostic, HaproxyConfig, KeywordUse } from '@ha-lb/shared-config/haproxy';
import { certificateChecks } from './certificates.ts';
import { type Check, checkContext } from './context.ts';
import { localPeerChecks } from './local-peer.ts';
import { luaLoadChecks } from './lua-load.ts';
import { patternFileChecks } from './pattern-files.ts';

export const CHECKS: readonly Check[] = [
  luaLoadChecks,
  certificateChecks,
  patternFileChecks,
  (ctx) => localPeerChecks(ctx),
];

export function configChecks(
  model: HaproxyConfig,
  uses: readonly KeywordUse[],
  cwd: string = process.cwd(),
): Diagnostic[] {
  const ctx = checkContext(model, uses, cwd);
  return CHECKS.flatMap((check) => check(ctx));
}

/**
 * A `peers` section must list this host (its name: the host name, or `-L NAME`), or HAProxy drops it
 * after parsing (cfgparse.c: "Removing incomplete section 'peers p' (no peer named 'vm')."), last
 * section first. The balancer does not replicate stick tables yet (in-effect.ts says so); this is only
 * HAProxy's warning, so that a configuration meant for another node reads the same here.
 */
import { hostname } from 'node:os';
import { type Diagnostic, POST_PARSE_LATE, postParseOrder } from '@ha-lb/shared-config/haproxy';
import type { CheckContext } from './context.ts';

export const LOCAL_PEER_CODE = 'CFG_WARN_IGNORED';

export function localPeerChecks(ctx: CheckContext, localPeer: string = hostname()): Diagnostic[] {
  const out: Diagnostic[] = [];
  const sections = ctx.model.otherSections.filter((s) => s.kind === 'peers');
  for (const s of [...sections].reverse()) {
    if (s.directives.some((d) => d.keyword === 'disabled')) continue;
    if (s.directives.some((d) => (d.keyword === 'peer' || d.keyword === 'server') && d.args[0] === localPeer))
      continue;
    out.push({
      severity: 'warning',
      file: s.file,
      line: s.line,
      code: LOCAL_PEER_CODE,
      message: `Removing incomplete section 'peers ${s.name}' (no peer named '${localPeer}').`,
      at: 'none',
      postParse: postParseOrder(-1, POST_PARSE_LATE.peers),
    });
  }
  return out;
}

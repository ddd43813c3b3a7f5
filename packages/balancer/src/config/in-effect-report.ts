/**
 * Turns the parser's keyword uses into what `-c` and start-up say about them: at most one warning per
 * line for features not applied yet, and one alert per line for features the balancer refuses to run
 * without (see in-effect.ts for which is which and why).
 */
import type { Diagnostic, KeywordUse } from '@ha-lb/shared-config/haproxy';
import { type Effect, effectOf } from './in-effect.ts';

/** Stable diagnostic codes of this report (tools match these, not the text). */
export const IN_EFFECT_CODES = {
  /** Parsed, not applied yet, harmless to ignore. */
  planned: 'CFG_WARN_PLANNED',
  /** Not implemented and unsafe to ignore: the balancer does not start. */
  notImplemented: 'CFG_ERR_NOT_IMPLEMENTED',
  /** Not implemented, unsafe to ignore, ignored anyway because of `unsafe-ignore-unimplemented`. */
  unsafeIgnored: 'CFG_WARN_UNSAFE_IGNORED',
} as const;

export const UNSAFE_KEYWORD = 'unsafe-ignore-unimplemented';

type Noted = { use: KeywordUse; effect: Effect & { status: 'warn' | 'refuse' } };

export function inEffectReport(uses: readonly KeywordUse[], opts: { unsafe: boolean }): Diagnostic[] {
  const out: Diagnostic[] = [];
  let i = 0;
  while (i < uses.length) {
    // uses arrive grouped by line, in source order
    const first = uses[i];
    const line: Noted[] = [];
    for (; i < uses.length && uses[i].line === first.line && uses[i].file === first.file; i++) {
      const effect = effectOf(uses[i]);
      if (effect.status === 'warn' || effect.status === 'refuse') line.push({ use: uses[i], effect });
    }
    const refused = line.filter((n) => n.effect.status === 'refuse');
    const planned = line.filter((n) => n.effect.status === 'warn');
    if (refused.length > 0) out.push(refusal(first, refused, opts.unsafe));
    if (planned.length > 0)
      out.push(
        diag(
          'warning',
          first,
          IN_EFFECT_CODES.planned,
          `${subject(planned)} parsed but not applied yet (${notes(planned)})`,
        ),
      );
  }
  return out;
}

function refusal(at: KeywordUse, refused: Noted[], unsafe: boolean): Diagnostic {
  const reasons = [
    ...new Set(refused.map((n) => (n.effect.status === 'refuse' ? n.effect.reason : ''))),
  ].join(' and ');
  if (unsafe)
    return diag(
      'warning',
      at,
      IN_EFFECT_CODES.unsafeIgnored,
      `${subject(refused)} NOT applied (${notes(refused)}) although ${reasons}: ignored because '${UNSAFE_KEYWORD}' is set.`,
    );
  return diag(
    'alert',
    at,
    IN_EFFECT_CODES.notImplemented,
    `${subject(refused)} not implemented yet (${notes(refused)}); ${reasons}, so the balancer does not start with it. Remove it, or add '${UNSAFE_KEYWORD}' to the 'global' section to start without it.`,
  );
}

/** With its verb: `'cookie' is`, `'server web1' options 'check', 'inter' are`, `'peers' sections are`. */
function subject(xs: Noted[]): string {
  const head = xs.filter((n) => n.use.subject === undefined);
  const opts = xs.filter((n) => n.use.subject !== undefined);
  const labels = (ys: Noted[]) => ys.map((n) => `'${n.use.label}'`).join(', ');
  if (head.length === 1 && opts.length === 0 && head[0].use.key.startsWith('section '))
    return `'${head[0].use.label}' sections are`;
  if (head.length > 0 && opts.length > 0) return `${labels(head)} and its options ${labels(opts)} are`;
  if (head.length > 0) return `${labels(head)} ${head.length > 1 ? 'are' : 'is'}`;
  const many = opts.length > 1;
  return `${opts[0].use.subject} option${many ? 's' : ''} ${labels(opts)} ${many ? 'are' : 'is'}`;
}

function notes(xs: Noted[]): string {
  return [...new Set(xs.map((n) => n.effect.note))].join('; ');
}

function diag(severity: Diagnostic['severity'], at: KeywordUse, code: string, message: string): Diagnostic {
  return { severity, file: at.file, line: at.line, code, message };
}

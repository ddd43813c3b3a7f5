/**
 * Sections accepted and kept as written, not modelled yet (peers, resolvers, mailers, cache, ring,
 * program, fcgi-app, log-forward): each is recorded as a `section <kind>` use, so the balancer says
 * what it does with it.
 */
import type { LineContext } from '../context.ts';
import type { ParseState } from '../parse-state.ts';
import type { OpenSection } from './section.ts';
import { sectionName } from './words.ts';

export interface OtherDraft {
  kind: string;
  name: string;
  directives: { keyword: string; args: string[]; file: string; line: number }[];
  file: string;
  line: number;
}

export function startOther(ctx: LineContext, state: ParseState): OpenSection {
  const name = sectionName(ctx);
  const kind = ctx.keyword;
  const sec: OtherDraft = { kind, name: name ?? '', directives: [], file: ctx.file, line: ctx.line };
  state.others.push(sec);
  ctx.uses(`section ${kind}`, kind);
  return {
    label: sec.name || sec.kind,
    line(line) {
      sec.directives.push({ keyword: line.keyword, args: [...line.args], file: line.file, line: line.line });
    },
  };
}

/**
 * haproxy.cfg → model: walks the lines of all sources in order (sections continue across files, as
 * with several `-f`), hands each line to the open section (section/*.ts), then builds the model
 * (build-model.ts: inheritance resolved, cross-references checked, validated by the zod schema).
 */
import { alert, warning } from '../common/diagnostic.ts';
import { buildModel } from './build-model.ts';
import { BlockStack, handleBlockDirective } from './conditional-blocks.ts';
import { CODES } from './context.ts';
import { Line } from './line-context.ts';
import { type HaproxyLoadResult, newParseState, type ParseOptions, type Source } from './parse-state.ts';
import { NO_SECTION, type OpenSection, startSection } from './section/section.ts';
import { isSectionWord } from './section/words.ts';
import { tokenizeLine } from './tokenizer.ts';

export type { HaproxyLoadResult, ParseOptions, Source } from './parse-state.ts';

const BLOCK_DIRECTIVES = new Set([
  '.if',
  '.elif',
  '.else',
  '.endif',
  '.diag',
  '.notice',
  '.warning',
  '.alert',
]);

export function parseHaproxyConfig(sources: readonly Source[], opts: ParseOptions = {}): HaproxyLoadResult {
  const state = newParseState(opts);
  const { diagnostics } = state;
  let section: OpenSection = NO_SECTION;
  for (const source of sources) {
    const file = source.path;
    const blocks = new BlockStack();
    // A UTF-8 byte-order mark (some editors add one) is not part of the first keyword.
    const lines = source.text.replace(/^\uFEFF/, '').split('\n');
    let lineNo = 0;
    // One context per file: the pseudo-variables are read only by the rare line that uses them.
    const tokenizeContext = {
      env: state.global.env,
      pseudo: {
        FILE: file,
        get LINE() {
          return String(lineNo);
        },
        get SECTION() {
          return section.label;
        },
      },
    };
    for (let index = 0; index < lines.length; index++) {
      lineNo = index + 1;
      const text = lines[index];
      const raw = text.endsWith('\r') ? text.slice(0, -1) : text;
      const tok = tokenizeLine(raw, tokenizeContext);
      const first = tok.words[0];
      if (first?.startsWith('.') && BLOCK_DIRECTIVES.has(first)) {
        handleBlockDirective(first, tok.words.slice(1), blocks, file, lineNo, state.global.env, diagnostics);
        continue;
      }
      if (!blocks.active) continue;
      if (tok.errors.length > 0) {
        for (const e of tok.errors) diagnostics.push(alert(file, lineNo, CODES.syntax, e));
        continue;
      }
      if (tok.warnings.length > 0)
        for (const w of tok.warnings) diagnostics.push(warning(file, lineNo, CODES.notice, w));
      if (tok.words.length === 0) continue;

      let words = tok.words;
      let no = false;
      if (words[0] === 'no' && words.length > 1) {
        no = true;
        words = words.slice(1);
      } else if (words[0] === 'default' && words[1] === 'option') {
        // `default option X` restores the built-in default: for our boolean options that is "off".
        no = true;
        words = words.slice(1);
      }
      const keyword = words[0];
      const ctx = new Line(state, file, lineNo, keyword, words.slice(1), no);
      const before = diagnostics.length;
      if (isSectionWord(keyword) && !no) section = startSection(ctx, state);
      else if (no && keyword !== 'option' && keyword !== 'log')
        ctx.alert(`'no' is only supported before 'option' and 'log' (got 'no ${keyword}').`, CODES.syntax);
      else section.line(ctx);
      ctx.commitUses(before);
    }
    if (blocks.levels.length > 0) {
      const open = blocks.levels[blocks.levels.length - 1];
      diagnostics.push(
        alert(open.file, open.line, CODES.syntax, "missing '.endif' for this '.if' block at end of file."),
      );
    }
  }
  return buildModel(state, sources, opts.checkModel === true);
}

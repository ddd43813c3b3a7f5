import { alert, type Diagnostic } from '../common/diagnostic.ts';
import { KA } from './codes.ts';
import type { SourceLine } from './source-reader.ts';
import { type Token, tokenizeLine } from './tokenizer.ts';

/** A keyword line with its arguments and, when followed by `{ … }`, the statements inside. */
export interface ConfigNode {
  readonly keyword: Token;
  readonly args: readonly Token[];
  children: ConfigNode[] | null;
}

/**
 * Builds the block tree: a statement is the words of one line up to a brace; `{` opens a block for the
 * statement before it on the same line, or for the statement of the previous line (`{` on the next line);
 * `}` closes the innermost block. Several statements may share a line with braces
 * (`notification_email { a@b.c }`).
 */
export function buildTree(lines: readonly SourceLine[], diagnostics: Diagnostic[]): ConfigNode[] {
  const root: ConfigNode[] = [];
  const stack: { node: ConfigNode | null; children: ConfigNode[] }[] = [{ node: null, children: root }];
  let lastLeafAtEndOfLine: ConfigNode | null = null;
  const top = () => stack[stack.length - 1];
  const leaf = (words: Token[], children: ConfigNode[] | null): ConfigNode => {
    const node: ConfigNode = { keyword: words[0], args: words.slice(1), children };
    top().children.push(node);
    return node;
  };

  for (const l of lines) {
    const tokens = tokenizeLine(l.text, l.file, l.line, diagnostics);
    let stmt: Token[] = [];
    for (const tok of tokens) {
      const brace = !tok.quoted && (tok.text === '{' || tok.text === '}');
      if (brace && tok.text === '{') {
        if (stmt.length > 0) {
          const node = leaf(stmt, []);
          stack.push({ node, children: node.children! });
        } else if (lastLeafAtEndOfLine !== null && lastLeafAtEndOfLine === top().children.at(-1)) {
          lastLeafAtEndOfLine.children = [];
          stack.push({ node: lastLeafAtEndOfLine, children: lastLeafAtEndOfLine.children });
        } else {
          diagnostics.push(
            alert(tok.file, tok.line, KA.unexpectedOpenBrace, "'{' without a keyword before it - remove it"),
          );
          stack.push({ node: null, children: [] }); // keep later braces balanced
        }
        stmt = [];
        lastLeafAtEndOfLine = null;
      } else if (brace) {
        if (stmt.length > 0) leaf(stmt, null);
        stmt = [];
        lastLeafAtEndOfLine = null;
        if (stack.length === 1) {
          diagnostics.push(
            alert(tok.file, tok.line, KA.unexpectedCloseBrace, "'}' closes no block - remove it"),
          );
        } else {
          stack.pop();
        }
      } else {
        stmt.push(tok);
      }
    }
    if (stmt.length > 0) lastLeafAtEndOfLine = leaf(stmt, null);
  }
  for (let i = stack.length - 1; i > 0; i--) {
    const node = stack[i].node;
    if (node === null) continue;
    const what = [node.keyword.text, ...node.args.map((a) => a.text)].join(' ');
    diagnostics.push(
      alert(
        node.keyword.file,
        node.keyword.line,
        KA.unclosedBlock,
        `block '${what}' is never closed - add '}'`,
      ),
    );
  }
  return root;
}

import { isIPv4, isIPv6 } from 'node:net';
import { alert, type Diagnostic, warning } from '../common/diagnostic.ts';
import { suggest } from '../common/did-you-mean.ts';
import type { ConfigNode } from './block-tree.ts';
import { KA } from './codes.ts';
import { ScriptCommandError, splitScriptCommand } from './split-script-command.ts';
import type { Token } from './tokenizer.ts';

/** Where a finding is reported: a token or a node (its keyword). */
export type At = Token | ConfigNode;

const tokenOf = (at: At): Token => ('keyword' in at ? at.keyword : at);

/** Collects diagnostics while interpreting the block tree. */
export class Reporter {
  readonly diagnostics: Diagnostic[];
  constructor(diagnostics: Diagnostic[]) {
    this.diagnostics = diagnostics;
  }
  error(at: At, code: string, message: string): void {
    const t = tokenOf(at);
    this.diagnostics.push(alert(t.file, t.line, code, message));
  }
  warn(at: At, code: string, message: string): void {
    const t = tokenOf(at);
    this.diagnostics.push(warning(t.file, t.line, code, message));
  }
  unknownKeyword(node: ConfigNode, candidates: Iterable<string>, where: string): void {
    const word = node.keyword.text;
    const hint = suggest(word, candidates);
    const tail = hint === null ? ` in ${where}` : ` in ${where} - did you mean '${hint}'?`;
    this.error(node, KA.unknownKeyword, `Unknown keyword '${word}'${tail}`);
  }
}

/** `keyword VALUE` with exactly one argument; reports a missing one (with an example) and extras. */
export function oneArg(r: Reporter, node: ConfigNode, example: string): Token | null {
  if (node.args.length === 0) {
    r.error(node, KA.missingArgument, `${node.keyword.text} is missing a value - write e.g. '${example}'`);
    return null;
  }
  extraArgs(r, node, 1);
  return node.args[0];
}

export function extraArgs(r: Reporter, node: ConfigNode, allowed: number): void {
  if (node.args.length > allowed) {
    const extra = node.args
      .slice(allowed)
      .map((a) => a.text)
      .join(' ');
    r.warn(
      node.args[allowed],
      KA.extraArgument,
      `${node.keyword.text}: extra argument(s) '${extra}' ignored`,
    );
  }
}

export function noArgs(r: Reporter, node: ConfigNode): void {
  extraArgs(r, node, 0);
}

/** An integer in [min, max] given to `keyword`; keepalived's wording for a range error. */
export function intArg(r: Reporter, tok: Token, min: number, max: number, keyword: string): number | null {
  if (!/^[-+]?\d+$/.test(tok.text)) {
    r.error(
      tok,
      KA.badValue,
      `${keyword}: '${tok.text}' is not an integer - write a whole number in [${min}, ${max}]`,
    );
    return null;
  }
  return inRange(r, tok, min, max, keyword);
}

/** A decimal number of seconds (<TIMER> in keepalived.conf(5)) in [min, max] given to `keyword`. */
export function secondsArg(
  r: Reporter,
  tok: Token,
  min: number,
  max: number,
  keyword: string,
): number | null {
  if (!/^[-+]?(\d+\.?\d*|\.\d+)$/.test(tok.text)) {
    r.error(tok, KA.badValue, `${keyword}: '${tok.text}' is not a number of seconds - write e.g. 1 or 0.5`);
    return null;
  }
  return inRange(r, tok, min, max, keyword);
}

/**
 * The token's number if it is in [min, max], else null. keepalived's wording (`number '0' outside range
 * [0.001, 3600]`), prefixed by the keyword it was given to, which keepalived leaves out.
 */
function inRange(r: Reporter, tok: Token, min: number, max: number, keyword: string): number | null {
  const n = Number(tok.text);
  if (n < min || n > max) {
    r.error(tok, KA.outOfRange, `${keyword}: number '${tok.text}' outside range [${min}, ${max}]`);
    return null;
  }
  return n;
}

/**
 * `weight N [reverse|noreverse]` of a tracked object's own block (vrrp_script, track_file,
 * vrrp_track_process): the weight and whether it is reversed, or null when the value is missing or bad.
 */
export function weightArg(
  r: Reporter,
  node: ConfigNode,
  min: number,
  max: number,
  example: string,
): { weight: number | null; reverse: boolean } | null {
  if (node.args.length === 0) {
    r.error(node, KA.missingArgument, `weight is missing a value - write e.g. ${example}`);
    return null;
  }
  extraArgs(r, node, 2);
  const weight = intArg(r, node.args[0], min, max, node.keyword.text);
  const rev = node.args[1];
  let reverse = false;
  if (rev !== undefined) {
    if (rev.text === 'reverse') reverse = true;
    else if (rev.text !== 'noreverse' && rev.text !== 'no_reverse') {
      r.error(rev, KA.badValue, `weight ${node.args[0].text} ${rev.text}: write 'reverse' or nothing`);
    }
  }
  return { weight, reverse };
}

const TRUE_WORDS = new Set(['on', 'true', 'yes']);
const FALSE_WORDS = new Set(['off', 'false', 'no']);

/** `keyword [<BOOL>]`: absent means on. */
export function boolFlag(r: Reporter, node: ConfigNode): boolean {
  if (node.args.length === 0) return true;
  extraArgs(r, node, 1);
  const w = node.args[0].text.toLowerCase();
  if (TRUE_WORDS.has(w)) return true;
  if (FALSE_WORDS.has(w)) return false;
  r.error(
    node.args[0],
    KA.badValue,
    `${node.keyword.text}: '${node.args[0].text}' is not on|off|true|false|yes|no`,
  );
  return true;
}

export function ipFamily(addr: string): 4 | 6 | null {
  if (isIPv4(addr)) return 4;
  if (isIPv6(addr)) return 6;
  return null;
}

/** An IP address argument; reports a bad one. */
export function ipArg(r: Reporter, tok: Token, what: string): { address: string; family: 4 | 6 } | null {
  const family = ipFamily(tok.text);
  if (family === null) {
    r.error(tok, KA.badValue, `${what}: '${tok.text}' is not an IPv4 or IPv6 address`);
    return null;
  }
  return { address: tok.text, family };
}

/** Requires `node` to be a block (`keyword { … }`). */
export function blockChildren(r: Reporter, node: ConfigNode, example: string): ConfigNode[] {
  if (node.children === null) {
    r.error(node, KA.blockExpected, `${node.keyword.text} needs a block - write '${example}'`);
    return [];
  }
  return node.children;
}

/** Reports a `{ … }` after a keyword that takes none; returns true when one was there. */
export function rejectBlock(r: Reporter, node: ConfigNode): boolean {
  if (node.children === null) return false;
  r.error(node, KA.blockUnexpected, `${node.keyword.text} takes no '{ … }' block - remove the braces`);
  return true;
}

/** Words of a list-block entry (the keyword plus its arguments), e.g. `eth0 weight 10`. */
export function entryWords(node: ConfigNode): Token[] {
  return [node.keyword, ...node.args];
}

/** `CMD [USER [GROUP]]` of notify_* and script keywords. */
export function scriptArgs(
  r: Reporter,
  node: ConfigNode,
): { command: string; user: { user: string; group: string | null } | null } | null {
  const tok = oneArgAllowing(r, node, 3, `${node.keyword.text} "/path/to/script arg"`);
  if (tok === null) return null;
  if (!splitsAsCommand(r, tok, tok.text)) return null;
  const user =
    node.args[1] === undefined ? null : { user: node.args[1].text, group: node.args[2]?.text ?? null };
  return { command: tok.text, user };
}

/**
 * Reports a script command keepalived would not run because it does not split into argv (an unterminated
 * quote, a trailing backslash) or is blank; true when it is usable.
 */
export function splitsAsCommand(r: Reporter, at: At, command: string): boolean {
  try {
    if (splitScriptCommand(command).length > 0) return true;
    r.error(at, KA.missingArgument, `script command is empty - write e.g. "/path/to/script arg"`);
  } catch (err) {
    if (!(err instanceof ScriptCommandError)) throw err;
    r.error(at, err.code, `${err.message} - the script would not run`);
  }
  return false;
}

function oneArgAllowing(r: Reporter, node: ConfigNode, allowed: number, example: string): Token | null {
  if (node.args.length === 0) {
    r.error(node, KA.missingArgument, `${node.keyword.text} is missing a value - write e.g. '${example}'`);
    return null;
  }
  extraArgs(r, node, allowed);
  return node.args[0];
}

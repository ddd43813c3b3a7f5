import type { z } from 'zod';
import type { ConfigNode } from './block-tree.ts';
import { KA } from './codes.ts';
import type { VrrpScriptSchema } from './model.ts';
import {
  blockChildren,
  extraArgs,
  intArg,
  noArgs,
  oneArg,
  type Reporter,
  rejectBlock,
  secondsArg,
  splitsAsCommand,
  weightArg,
} from './values.ts';

export type VrrpScriptDraft = z.input<typeof VrrpScriptSchema>;

const KEYWORDS = ['script', 'interval', 'timeout', 'weight', 'rise', 'fall', 'user', 'init_fail'];

/** `vrrp_script NAME { script …; interval S; timeout S; weight N [reverse]; rise N; fall N; user U [G]; init_fail }` */
export function parseVrrpScript(r: Reporter, block: ConfigNode, name: string): VrrpScriptDraft | null {
  const d: Partial<VrrpScriptDraft> & { name: string; file: string; line: number } = {
    name,
    file: block.keyword.file,
    line: block.keyword.line,
  };
  for (const node of blockChildren(
    r,
    block,
    `vrrp_script ${name} { script "/usr/bin/killall -0 haproxy" }`,
  )) {
    const word = node.keyword.text;
    if (KEYWORDS.includes(word)) rejectBlock(r, node);
    switch (word) {
      case 'script': {
        // `script CMD` or `script "CMD ARGS"`; unquoted words after the first are arguments too
        if (node.args.length === 0) {
          r.error(
            node,
            KA.missingArgument,
            `script is missing a command - write e.g. script "/usr/bin/killall -0 haproxy"`,
          );
        } else {
          const script = node.args
            .map((a) => (a.quoted && node.args.length > 1 ? `'${a.text}'` : a.text))
            .join(' ');
          if (splitsAsCommand(r, node, script)) d.script = script;
        }
        break;
      }
      case 'interval': {
        const t = oneArg(r, node, 'interval 2');
        const v = t && secondsArg(r, t, 0.000001, 86400, node.keyword.text);
        if (v !== null) d.interval = v;
        break;
      }
      case 'timeout': {
        const t = oneArg(r, node, 'timeout 2');
        const v = t && secondsArg(r, t, 0.000001, 86400, node.keyword.text);
        if (v !== null) d.timeout = v;
        break;
      }
      case 'weight': {
        const w = weightArg(r, node, -253, 253, 'weight -20');
        if (w === null) break;
        if (w.weight !== null) d.weight = w.weight;
        if (w.reverse) d.weightReverse = true;
        break;
      }
      case 'rise':
      case 'fall': {
        const t = oneArg(r, node, `${word} 2`);
        const v = t && intArg(r, t, 1, 1_000_000, node.keyword.text);
        if (v !== null) d[word] = v;
        break;
      }
      case 'user':
        if (node.args.length === 0) {
          r.error(node, KA.missingArgument, 'user is missing a name - write e.g. user keepalived_script');
          break;
        }
        extraArgs(r, node, 2);
        d.user = { user: node.args[0].text, group: node.args[1]?.text ?? null };
        break;
      case 'init_fail':
        noArgs(r, node);
        d.initFail = true;
        break;
      default:
        r.unknownKeyword(node, KEYWORDS, `vrrp_script ${name}`);
    }
  }
  if (d.script === undefined) {
    r.error(
      block,
      KA.missingRequired,
      `vrrp_script ${name} has no script - add e.g. script "/usr/bin/killall -0 haproxy"`,
    );
    return null;
  }
  return d as VrrpScriptDraft;
}

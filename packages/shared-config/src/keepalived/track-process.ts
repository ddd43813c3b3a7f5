import type { z } from 'zod';
import type { ConfigNode } from './block-tree.ts';
import { KA } from './codes.ts';
import type { TrackProcessSchema } from './model.ts';
import {
  blockChildren,
  extraArgs,
  intArg,
  noArgs,
  oneArg,
  type Reporter,
  rejectBlock,
  secondsArg,
  weightArg,
} from './values.ts';

export type TrackProcessDraft = z.input<typeof TrackProcessSchema>;

const KEYWORDS = [
  'process',
  'param_match',
  'weight',
  'quorum',
  'quorum_max',
  'delay',
  'fork_delay',
  'terminate_delay',
  'full_command',
];

/** /proc/PID/comm holds at most 15 characters (TASK_COMM_LEN 16): a longer name never matches it. */
const COMM_MAX = 15;

/**
 * `vrrp_track_process NAME { process NAME [ARGS…]; param_match [initial|partial]; weight W [reverse];
 * quorum N; quorum_max N; delay S | fork_delay S | terminate_delay S; full_command }` with keepalived
 * 2.2.7's parser rules (vrrp_parser.c): parameters, or param_match, imply matching the command line;
 * parameters without param_match match exactly. Null when the block names no process.
 */
export function parseTrackProcess(r: Reporter, block: ConfigNode, name: string): TrackProcessDraft | null {
  const d: Partial<TrackProcessDraft> & { name: string; file: string; line: number } = {
    name,
    file: block.keyword.file,
    line: block.keyword.line,
  };
  let processTok: ConfigNode | null = null;
  for (const node of blockChildren(r, block, `vrrp_track_process ${name} { process haproxy }`)) {
    const kw = node.keyword.text;
    if (KEYWORDS.includes(kw)) rejectBlock(r, node);
    switch (kw) {
      case 'process': {
        if (node.args.length === 0) {
          r.error(node, KA.missingArgument, 'process is missing a name - write e.g. process haproxy');
          break;
        }
        if (d.process !== undefined) {
          r.warn(
            node,
            KA.ignored,
            `Process already set for track process ${name} - ignoring ${node.args[0].text}`,
          );
          break;
        }
        processTok = node;
        d.process = node.args[0].text;
        d.params = node.args.slice(1).map((a) => a.text);
        if (d.params.length > 0) {
          d.paramMatch ??= 'exact';
          d.fullCommand = true;
        }
        break;
      }
      case 'param_match': {
        extraArgs(r, node, 1);
        const how = node.args[0]?.text;
        if (how === undefined) d.paramMatch = 'exact';
        else if (how === 'initial' || how === 'partial') d.paramMatch = how;
        else {
          r.error(
            node.args[0],
            KA.badValue,
            `Invalid param_match type ${how} - write param_match, param_match initial or param_match partial`,
          );
          break;
        }
        d.fullCommand = true;
        break;
      }
      case 'weight': {
        const w = weightArg(r, node, -254, 254, 'weight -30');
        if (w === null) break;
        if (w.weight !== null) d.weight = w.weight;
        if (w.reverse) d.weightReverse = true;
        break;
      }
      case 'quorum': {
        const t = oneArg(r, node, 'quorum 1');
        const v = t && intArg(r, t, 1, 65535, kw);
        if (v !== null) d.quorum = v;
        break;
      }
      case 'quorum_max': {
        const t = oneArg(r, node, 'quorum_max 1');
        const v = t && intArg(r, t, 0, 65535, kw);
        if (v !== null) d.quorumMax = v;
        break;
      }
      case 'delay':
      case 'fork_delay':
      case 'terminate_delay': {
        const t = oneArg(r, node, `${kw} 0.5`);
        const v = t && secondsArg(r, t, 0.000001, 3600, kw);
        if (v === null) break;
        if (kw !== 'fork_delay') d.terminateDelay = v;
        if (kw !== 'terminate_delay') d.forkDelay = v;
        break;
      }
      case 'full_command':
        noArgs(r, node);
        d.fullCommand = true;
        break;
      default:
        r.unknownKeyword(node, KEYWORDS, `vrrp_track_process ${name}`);
    }
  }
  if (d.process === undefined) {
    r.error(
      block,
      KA.missingRequired,
      `track process '${name}' process name not specified - add e.g. 'process haproxy'`,
    );
    return null;
  }
  // keepalived: quorum_max 0 means "the process must not run at all" (quorum becomes 0)
  if (d.quorumMax === 0 && (d.quorum ?? 1) <= 1) d.quorum = 0;
  else if (d.quorumMax !== undefined && d.quorumMax !== null && d.quorumMax < (d.quorum ?? 1)) {
    r.error(
      block,
      KA.badValue,
      `(${name}) quorum ${d.quorum ?? 1} is greater than quorum_max ${d.quorumMax} - make quorum_max at least quorum`,
    );
    return null;
  }
  if (!d.fullCommand && d.process.length > COMM_MAX && processTok !== null) {
    r.warn(
      processTok,
      KA.adjusted,
      `(${name}) process ${d.process} is longer than a process name can be (${COMM_MAX} characters in /proc/PID/comm) and never matches - add full_command to match the command line`,
    );
  }
  return d as TrackProcessDraft;
}

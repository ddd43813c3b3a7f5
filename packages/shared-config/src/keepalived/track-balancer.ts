import type { z } from 'zod';
import type { ConfigNode } from './block-tree.ts';
import type { TrackBalancerSchema } from './model.ts';
import { blockChildren, intArg, oneArg, type Reporter, rejectBlock, secondsArg } from './values.ts';

export type TrackBalancerDraft = z.input<typeof TrackBalancerSchema>;

const KEYWORDS = ['socket', 'weight', 'rise', 'fall', 'heartbeat_timeout', 'restart_grace'];

/**
 * Our extension, in keepalived's style: `vrrp_track_balancer NAME { socket PATH; weight N; rise N; fall N;
 * heartbeat_timeout SECONDS; restart_grace SECONDS }`, referenced from an instance's `track_balancer { NAME }`.
 */
export function parseTrackBalancer(r: Reporter, block: ConfigNode, name: string): TrackBalancerDraft {
  const d: TrackBalancerDraft = { name, file: block.keyword.file, line: block.keyword.line };
  for (const node of blockChildren(
    r,
    block,
    `vrrp_track_balancer ${name} { socket /run/balancer/health.sock }`,
  )) {
    const word = node.keyword.text;
    if (KEYWORDS.includes(word)) rejectBlock(r, node);
    switch (word) {
      case 'socket': {
        const t = oneArg(r, node, 'socket /run/balancer/health.sock');
        if (t) d.socket = t.text;
        break;
      }
      case 'weight': {
        const t = oneArg(r, node, 'weight -60');
        const v = t && intArg(r, t, -253, 253, node.keyword.text);
        if (v !== null) d.weight = v;
        break;
      }
      case 'rise':
      case 'fall': {
        const t = oneArg(r, node, `${word} 1`);
        const v = t && intArg(r, t, 1, 1_000_000, node.keyword.text);
        if (v !== null) d[word] = v;
        break;
      }
      case 'heartbeat_timeout': {
        const t = oneArg(r, node, 'heartbeat_timeout 1');
        const v = t && secondsArg(r, t, 0.001, 3600, node.keyword.text);
        if (v !== null) d.heartbeatTimeout = v;
        break;
      }
      case 'restart_grace': {
        const t = oneArg(r, node, 'restart_grace 1.5');
        const v = t && secondsArg(r, t, 0, 3600, node.keyword.text);
        if (v !== null) d.restartGrace = v;
        break;
      }
      default:
        r.unknownKeyword(node, KEYWORDS, `vrrp_track_balancer ${name}`);
    }
  }
  return d;
}

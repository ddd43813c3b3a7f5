import type { z } from 'zod';
import type { ConfigNode } from './block-tree.ts';
import { KA } from './codes.ts';
import type { TrackFileSchema } from './model.ts';
import { blockChildren, extraArgs, intArg, oneArg, type Reporter, rejectBlock, weightArg } from './values.ts';

export type TrackFileDraft = z.input<typeof TrackFileSchema> & { path?: string };

const KEYWORDS = ['file', 'weight', 'init_file'];

/**
 * `track_file NAME { file PATH; weight W [reverse]; init_file [VALUE] [overwrite] }` (keepalived.conf(5)
 * "Track files"; `vrrp_track_file` is its deprecated synonym). Null when the block names no file.
 */
export function parseTrackFile(r: Reporter, block: ConfigNode, name: string): TrackFileDraft | null {
  const word = block.keyword.text;
  if (word === 'vrrp_track_file') {
    r.warn(block, KA.adjusted, `"vrrp_track_file" is deprecated, please use "track_file"`);
  }
  const d: Partial<TrackFileDraft> & { name: string; file: string; line: number } = {
    name,
    file: block.keyword.file,
    line: block.keyword.line,
  };
  for (const node of blockChildren(r, block, `track_file ${name} { file /run/keepalived/${name} }`)) {
    const kw = node.keyword.text;
    if (KEYWORDS.includes(kw)) rejectBlock(r, node);
    switch (kw) {
      case 'file': {
        const t = oneArg(r, node, `file /run/keepalived/${name}`);
        if (t) d.path = t.text;
        break;
      }
      case 'weight': {
        const w = weightArg(r, node, -2147483647, 2147483647, 'weight 10');
        if (w === null) break;
        if (w.weight !== null) d.weight = w.weight;
        if (w.reverse) d.weightReverse = true;
        break;
      }
      case 'init_file': {
        extraArgs(r, node, 2);
        let value = 0;
        let overwrite = false;
        for (const a of node.args) {
          if (a.text === 'overwrite') overwrite = true;
          else {
            const v = intArg(r, a, -2147483647, 2147483647, kw);
            if (v !== null) value = v;
          }
        }
        d.initFile = { value, overwrite };
        break;
      }
      default:
        r.unknownKeyword(node, KEYWORDS, `track_file ${name}`);
    }
  }
  if (d.path === undefined) {
    r.error(
      block,
      KA.missingRequired,
      `(${name}) track_file has no file - add e.g. 'file /run/keepalived/${name}'`,
    );
    return null;
  }
  return d as TrackFileDraft;
}

import type { ConfigNode } from './block-tree.ts';
import { KA } from './codes.ts';
import { blockChildren, entryWords, intArg, type Reporter } from './values.ts';

/**
 * A `track_*` entry before resolution: weight null = "the tracked object's own weight", reverse null =
 * its own direction (keepalived 2.2.7: `s1 weight 20` under `vrrp_script s1 { weight 10 reverse }` is
 * `s1 weight 20 reverse` in its data dump).
 */
export interface TrackDraft {
  name: string;
  weight: number | null;
  reverse: boolean | null;
  file: string;
  line: number;
}

/** `track_interface|track_script|track_balancer|track_file|track_process { NAME [weight N] [reverse|noreverse] … }`. */
export function parseTrackList(r: Reporter, node: ConfigNode, min = -253, max = 253): TrackDraft[] {
  const out: TrackDraft[] = [];
  for (const entry of blockChildren(r, node, `${node.keyword.text} { NAME [weight N] }`)) {
    const words = entryWords(entry);
    const d: TrackDraft = {
      name: words[0].text,
      weight: null,
      reverse: null,
      file: words[0].file,
      line: words[0].line,
    };
    for (let i = 1; i < words.length; i++) {
      const w = words[i].text;
      if (w === 'weight') {
        const v = words[i + 1];
        if (v === undefined) {
          r.error(
            words[i],
            KA.missingArgument,
            `weight is missing a value - write e.g. '${d.name} weight -20'`,
          );
        } else {
          d.weight = intArg(r, v, min, max, 'weight');
          i++;
        }
      } else if (w === 'reverse') {
        d.reverse = true;
      } else if (w === 'noreverse' || w === 'no_reverse') {
        d.reverse = false;
      } else {
        r.error(
          words[i],
          KA.badValue,
          `${node.keyword.text} ${d.name}: unexpected '${w}' - write '${d.name} weight N [reverse]'`,
        );
      }
    }
    if (entry.children !== null)
      r.error(entry, KA.blockUnexpected, `${node.keyword.text} entries take no '{ … }' block`);
    out.push(d);
  }
  return out;
}

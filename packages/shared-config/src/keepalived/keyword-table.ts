import type { ConfigNode } from './block-tree.ts';
import { KA } from './codes.ts';
import { type Reporter, rejectBlock } from './values.ts';

/** How a block's keywords are read: handlers, and what keepalived has that the agent does not. */
export interface KeywordTable<D> {
  keywords: Record<string, (r: Reporter, node: ConfigNode, d: D) => void>;
  /** keywords that take a `{ … }` block (any other with one is an error and skipped) */
  blocks: ReadonlySet<string>;
  /** keepalived keywords the agent does not implement: parsed, warned, never silent */
  notImplemented: readonly string[];
}

/**
 * Reads each statement of a named block (`vrrp_instance NAME`, `vrrp_sync_group NAME`) through `table`:
 * its handler, an "ignored" warning, or an unknown keyword with a did-you-mean over both lists.
 */
export function applyKeywords<D>(
  r: Reporter,
  table: KeywordTable<D>,
  nodes: Iterable<ConfigNode>,
  d: D,
  block: string,
  name: string,
): void {
  for (const node of nodes) {
    const word = node.keyword.text;
    const handler = table.keywords[word];
    if (handler !== undefined) {
      if (!table.blocks.has(word) && rejectBlock(r, node)) continue;
      handler(r, node, d);
    } else if (table.notImplemented.includes(word)) {
      r.warn(node, KA.ignored, `(${name}) ${word} is ignored: ha-agent does not implement it`);
    } else {
      r.unknownKeyword(node, [...Object.keys(table.keywords), ...table.notImplemented], `${block} ${name}`);
    }
  }
}

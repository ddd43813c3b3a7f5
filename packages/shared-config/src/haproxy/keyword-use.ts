/**
 * What the parser tells the engine about each line: which runtime features it uses. The parser knows
 * the language; only the engine knows what it applies, so the parser records uses and the balancer
 * turns them into "not applied yet" warnings or fail-closed alerts (packages/balancer/src/config/).
 *
 * Keys: the keyword as written (`cookie`, `daemon`), with its first argument for families
 * (`timeout queue`, `option redispatch`, `balance source`, `stats enable`), `server <opt>` /
 * `bind <opt>` for server and bind options, `global <kw>` where a name means something else in
 * proxies, `section <kind>` for sections kept as written (`section peers`).
 */
export interface KeywordUse {
  readonly file: string;
  readonly line: number;
  readonly key: string;
  /** What a message names (`timeout queue`, `inter`, `chroot /var/lib/haproxy`). */
  readonly label: string;
  /** Groups the options of one line (`'server web1'`, `'bind :443'`); absent for the keyword itself. */
  readonly subject?: string;
  /** The words after the line's keyword, as tokenized. */
  readonly args: readonly string[];
}

// `no_accept` (and `vrrp_strict`, which implies it): RFC 9568 Accept_Mode = False. A MASTER that is not
// the address owner (priority 255) must not accept packets addressed to its VIPs, except ARP and
// Neighbor Discovery. keepalived enforces it with firewall rules; so do we, with an nftables table of
// our own holding one set per family: a VIP is in the set while its no_accept instance is MASTER.
import { execa } from 'execa';
import { HaError } from '../errors.ts';
import type { Logger } from '../log.ts';

export const NFT_TABLE = 'ha_agent';

export interface BlockedAddress {
  address: string;
  family: 4 | 6;
}

/** Runs one nft script atomically (`nft -f -`); injectable for tests. */
export type NftRunner = (script: string) => Promise<void>;

/**
 * The whole table, replacing any left behind by a crashed agent (`table X` then `delete table X`
 * cannot fail, and the script is applied as one transaction). Priority -1 like keepalived's own table,
 * so our drop happens before a distribution's filter table accepts the packet. ARP is not IP and
 * never reaches this hook; Neighbor Solicitations/Advertisements to a VIP are let through so that
 * neighbours can still resolve and verify it.
 */
export function tableScript(table: string = NFT_TABLE): string {
  return `table inet ${table}
delete table inet ${table}
table inet ${table} {
  set vips4 { type ipv4_addr; }
  set vips6 { type ipv6_addr; }
  chain input {
    type filter hook input priority -1; policy accept;
    ip6 daddr @vips6 icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept
    ip daddr @vips4 drop
    ip6 daddr @vips6 drop
  }
}
`;
}

/** Adds or deletes set elements, one line per family that has any. */
export function elementScript(
  op: 'add' | 'delete',
  addrs: readonly BlockedAddress[],
  table: string = NFT_TABLE,
): string {
  let out = '';
  for (const family of [4, 6] as const) {
    const list = addrs.filter((a) => a.family === family).map((a) => a.address);
    if (list.length) out += `${op} element inet ${table} vips${family} { ${list.join(', ')} }\n`;
  }
  return out;
}

export const runNft: NftRunner = async (script) => {
  const r = await execa('nft', ['-f', '-'], { input: script, reject: false, timeout: 5000 });
  if (r.exitCode !== 0) {
    throw new HaError(
      'HA_ERR_FIREWALL',
      `nft failed (${r.failed && r.exitCode === undefined ? String(r.message) : `exit ${r.exitCode}`}): ${String(r.stderr).trim()}`,
    );
  }
};

/**
 * The agent's one table. Addresses are reference-counted (two instances may carry the same VIP);
 * every nft call goes through one queue so the kernel sees them in the order they were asked for.
 */
export class NoAcceptFirewall {
  readonly #run: NftRunner;
  readonly #table: string;
  readonly #log: Logger;
  readonly #counts = new Map<string, { a: BlockedAddress; n: number }>();
  #queue: Promise<void> = Promise.resolve();
  #created = false;

  constructor(opts: { logger: Logger; run?: NftRunner; table?: string }) {
    this.#log = opts.logger;
    this.#run = opts.run ?? runNft;
    this.#table = opts.table ?? NFT_TABLE;
  }

  /** the addresses currently dropped */
  get blocked(): BlockedAddress[] {
    return [...this.#counts.values()].map((e) => e.a);
  }

  /** Creates the (empty) table, replacing a leftover one. Idempotent. */
  setup(): Promise<void> {
    return this.#enqueue('create the no_accept table', async () => {
      if (this.#created) return;
      await this.#run(tableScript(this.#table));
      this.#created = true;
    });
  }

  block(addrs: readonly BlockedAddress[]): Promise<void> {
    const fresh: BlockedAddress[] = [];
    for (const a of addrs) {
      const e = this.#counts.get(a.address);
      if (e) e.n++;
      else {
        this.#counts.set(a.address, { a, n: 1 });
        fresh.push(a);
      }
    }
    if (!fresh.length) return this.#queue;
    return this.#enqueue('drop traffic to the VIPs', async () => {
      if (!this.#created) {
        await this.#run(tableScript(this.#table));
        this.#created = true;
      }
      await this.#run(elementScript('add', fresh, this.#table));
    });
  }

  unblock(addrs: readonly BlockedAddress[]): Promise<void> {
    const gone: BlockedAddress[] = [];
    for (const a of addrs) {
      const e = this.#counts.get(a.address);
      if (!e) continue;
      if (--e.n === 0) {
        this.#counts.delete(a.address);
        gone.push(a);
      }
    }
    if (!gone.length || !this.#created) return this.#queue;
    return this.#enqueue('stop dropping traffic to the VIPs', () =>
      this.#run(elementScript('delete', gone, this.#table)),
    );
  }

  /** Removes the table (agent exit). */
  teardown(): Promise<void> {
    this.#counts.clear();
    return this.#enqueue('delete the no_accept table', async () => {
      if (!this.#created) return;
      this.#created = false;
      await this.#run(`delete table inet ${this.#table}\n`);
    });
  }

  #enqueue(what: string, fn: () => Promise<void>): Promise<void> {
    this.#queue = this.#queue.then(fn).catch((err) => {
      this.#log.error({ err: String(err instanceof Error ? err.message : err) }, `cannot ${what}`);
    });
    return this.#queue;
  }
}

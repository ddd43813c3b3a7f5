import { execa } from 'execa';
import { HaError } from '../errors.ts';
import type { TrackLogger } from '../track/tracker.ts';
import { silentLogger } from '../track/tracker.ts';

/** One `virtual_ipaddress` entry (the keepalived model's Vip satisfies it). */
export interface VipSpec {
  address: string;
  prefix: number;
  family: 4 | 6;
  /** null: the instance's interface */
  dev: string | null;
  label?: string | null;
  scope?: string | null;
  brd?: string | null;
}

export interface VipManagerOptions {
  /** the vrrp_instance's interface, for VIPs without `dev` */
  defaultDev: string;
  /** run `ip -n NETNS …` */
  netns?: string | null;
  logger?: TrackLogger;
  ipPath?: string;
}

/** An `ip addr` command failed for a reason other than "already there" / "already gone". */
export class VipError extends HaError {
  readonly vip: VipSpec;
  constructor(message: string, vip: VipSpec, options?: { cause?: unknown }) {
    super('HA_ERR_VIP', message, options);
    this.name = 'VipError';
    this.vip = vip;
  }
}

/** An address found on a link by `ip -o addr show`. */
export interface LinkAddress {
  dev: string;
  family: 4 | 6;
  address: string;
  prefix: number;
  label: string | null;
}

// `ip` says it in several ways depending on version and family; all mean "nothing to do".
const ALREADY_THERE = /File exists|already assigned/i;
const NOT_THERE = /Cannot assign requested address|Address not found|EADDRNOTAVAIL/i;

/** Canonical text of an address, so that `2001:db8:0::1` and `2001:db8::1` compare equal. */
export function canonicalAddress(address: string, family: 4 | 6): string {
  return family === 6 ? new URL(`http://[${address}]/`).hostname.slice(1, -1) : address;
}

/** Parses `ip -o addr show` output. */
export function parseIpAddrShow(text: string): LinkAddress[] {
  const out: LinkAddress[] = [];
  for (const line of text.split('\n')) {
    const m = /^\d+:\s+([^\s@:]+)(?:@\S+)?\s+(inet6?)\s+([0-9a-fA-F.:]+)\/(\d+)(.*)$/.exec(line);
    if (!m) continue;
    const family = m[2] === 'inet6' ? 6 : 4;
    // for IPv4 the label (if any) is the last word before the lifetime fields: "… scope global a0:vip\ …"
    const rest = m[5].split('\\')[0].trim().split(/\s+/);
    const scopeAt = rest.indexOf('scope');
    const after =
      scopeAt >= 0
        ? rest
            .slice(scopeAt + 2)
            .filter(
              (w) =>
                ![
                  'secondary',
                  'dynamic',
                  'noprefixroute',
                  'nodad',
                  'tentative',
                  'deprecated',
                  'permanent',
                ].includes(w),
            )
        : [];
    out.push({
      dev: m[1],
      family,
      address: canonicalAddress(m[3], family),
      prefix: Number(m[4]),
      label: family === 4 && after.length > 0 ? after[after.length - 1] : null,
    });
  }
  return out;
}

/**
 * Adds and removes VIPs with `ip addr` (through execa, one command at a time, in call order). Both are
 * idempotent: adding an address that is there, or removing one that is not, is success — a restart or
 * a FAULT→MASTER flap must never fail on leftovers. IPv6 VIPs get `nodad`: duplicate address detection
 * would keep a freshly taken-over VIP tentative (unusable) for a second or more.
 */
export class VipManager {
  readonly #opts: VipManagerOptions;
  readonly #log: TrackLogger;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(opts: VipManagerOptions) {
    this.#opts = opts;
    this.#log = opts.logger ?? silentLogger;
  }

  devOf(vip: VipSpec): string {
    return vip.dev ?? this.#opts.defaultDev;
  }

  /** Adds every VIP; resolves when all are present. Rejects with VipError on a real failure. */
  add(vips: readonly VipSpec[]): Promise<void> {
    return this.#serial(async () => {
      for (const vip of vips) await this.#addOne(vip);
    });
  }

  /** Removes every VIP; one missing already is fine. Tries them all, then rejects with the first error. */
  remove(vips: readonly VipSpec[]): Promise<void> {
    return this.#serial(async () => {
      let first: unknown = null;
      for (const vip of vips) {
        try {
          await this.#removeOne(vip, vip.prefix);
        } catch (err) {
          first ??= err;
        }
      }
      if (first) throw first;
    });
  }

  /** Addresses on the links the given VIPs use. */
  async addresses(devs: Iterable<string>): Promise<LinkAddress[]> {
    const out: LinkAddress[] = [];
    for (const dev of new Set(devs)) {
      const r = await this.#ip(['-o', 'addr', 'show', 'dev', dev]);
      if (r.exitCode !== 0) {
        if (/does not exist|Cannot find device/i.test(r.stderr)) continue;
        throw new HaError('HA_ERR_VIP', `ip addr show dev ${dev}: ${r.stderr.trim()}`);
      }
      out.push(...parseIpAddrShow(r.stdout));
    }
    return out;
  }

  /** The configured VIPs that are on their link now. */
  async present(vips: readonly VipSpec[]): Promise<VipSpec[]> {
    const have = await this.addresses(vips.map((v) => this.devOf(v)));
    return vips.filter((v) =>
      have.some(
        (a) =>
          a.dev === this.devOf(v) &&
          a.family === v.family &&
          a.address === canonicalAddress(v.address, v.family),
      ),
    );
  }

  /**
   * At start (and after a reload), before the state machine runs: VIPs left on the links by a crashed
   * agent are removed unless this instance is MASTER, so that two nodes never answer for the VIP. The
   * prefix actually found on the link is used, in case the configuration changed it since.
   */
  reconcile(vips: readonly VipSpec[], isMaster: boolean): Promise<VipSpec[]> {
    return this.#serial(async () => {
      if (isMaster) return [];
      const have = await this.addresses(vips.map((v) => this.devOf(v)));
      const removed: VipSpec[] = [];
      for (const v of vips) {
        const found = have.find(
          (a) =>
            a.dev === this.devOf(v) &&
            a.family === v.family &&
            a.address === canonicalAddress(v.address, v.family),
        );
        if (!found) continue;
        this.#log.warn({ vip: `${v.address}/${found.prefix}`, dev: found.dev }, 'removing a VIP left behind');
        await this.#removeOne(v, found.prefix);
        removed.push(v);
      }
      return removed;
    });
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.#queue.then(fn, fn);
    this.#queue = p.catch(() => {});
    return p;
  }

  async #addOne(vip: VipSpec): Promise<void> {
    const args = [
      vip.family === 6 ? '-6' : '-4',
      'addr',
      'add',
      `${vip.address}/${vip.prefix}`,
      'dev',
      this.devOf(vip),
    ];
    if (vip.family === 4 && vip.brd) args.push('broadcast', vip.brd);
    if (vip.scope) args.push('scope', vip.scope);
    if (vip.family === 4 && vip.label) args.push('label', vip.label);
    if (vip.family === 6) args.push('nodad');
    const r = await this.#ip(args);
    if (r.exitCode === 0) {
      this.#log.info({ vip: `${vip.address}/${vip.prefix}`, dev: this.devOf(vip) }, 'VIP added');
      return;
    }
    if (ALREADY_THERE.test(r.stderr)) return;
    throw new VipError(
      `cannot add ${vip.address}/${vip.prefix} on ${this.devOf(vip)}: ${r.stderr.trim()}`,
      vip,
    );
  }

  async #removeOne(vip: VipSpec, prefix: number): Promise<void> {
    const args = [
      vip.family === 6 ? '-6' : '-4',
      'addr',
      'del',
      `${vip.address}/${prefix}`,
      'dev',
      this.devOf(vip),
    ];
    const r = await this.#ip(args);
    if (r.exitCode === 0) {
      this.#log.info({ vip: `${vip.address}/${prefix}`, dev: this.devOf(vip) }, 'VIP removed');
      return;
    }
    // A link that vanished took its addresses with it.
    if (NOT_THERE.test(r.stderr) || /Cannot find device/i.test(r.stderr)) return;
    throw new VipError(
      `cannot remove ${vip.address}/${prefix} from ${this.devOf(vip)}: ${r.stderr.trim()}`,
      vip,
    );
  }

  async #ip(args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
    const ns = this.#opts.netns ? ['-n', this.#opts.netns] : [];
    const r = await execa(this.#opts.ipPath ?? 'ip', [...ns, ...args], {
      reject: false,
      timeout: 10_000,
      stdin: 'ignore',
    });
    if (r.failed && r.exitCode === undefined) {
      return { exitCode: -1, stdout: '', stderr: r.shortMessage ?? 'ip failed to run' };
    }
    return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
  }
}

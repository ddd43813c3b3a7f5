// Receive-side checks (RFC 3768 §7.1, RFC 9568 §7.1, plus keepalived's habits). Pure.
import {
  type ChecksumForm,
  checksumFormOf,
  type DropReason,
  decodeAdvert,
  VRRP_AUTH_NONE,
  VRRP_AUTH_PASS,
  type VrrpAdvert,
} from './codec.ts';

export interface ValidationContext {
  family: 4 | 6;
  version: 2 | 3;
  vrid: number;
  /** Our advert interval in centiseconds; v2 drops a mismatch, v3 adopts the master's. */
  advertIntCs: number;
  /** null: no authentication. */
  authPass: string | null;
  /** Number of VIPs we advertise; a master advertising a different count is refused (keepalived). */
  addressCount: number;
  /** Our own source addresses, so a looped-back advert is never taken for a peer's. */
  ownAddresses: readonly string[];
}

export interface PacketMeta {
  src: string;
  dst: string;
  ttl: number;
  /** Unicast adverts may have crossed routers: keepalived only insists on TTL 255 for multicast. */
  multicast: boolean;
}

export type ValidationResult =
  | { ok: true; advert: VrrpAdvert; checksumForm: ChecksumForm }
  | { ok: false; reason: DropReason; detail?: string };

export function validateAdvert(msg: Buffer, meta: PacketMeta, ctx: ValidationContext): ValidationResult {
  if (meta.multicast && meta.ttl !== -1 && meta.ttl !== 255) {
    return { ok: false, reason: 'ttl', detail: `TTL ${meta.ttl}, want 255` };
  }
  const d = decodeAdvert(msg, ctx.family);
  if (!d.ok) return d;
  const a = d.advert;
  if (a.vrid !== ctx.vrid) return { ok: false, reason: 'vrid', detail: `VRID ${a.vrid}` };
  if (a.version !== ctx.version) return { ok: false, reason: 'version', detail: `version ${a.version}` };
  // The message ends where the IP header says; what is left beyond the addresses (and v2's auth) is
  // not ours to checksum, so checksum exactly the VRRP message.
  const addrLen = ctx.family === 4 ? 4 : 16;
  const msgLen = 8 + a.addresses.length * addrLen + (a.version === 2 ? 8 : 0);
  const exact = msg.length === msgLen ? msg : msg.subarray(0, msgLen);
  const form = checksumFormOf(exact, ctx.family, meta.src, meta.dst);
  if (form === null) return { ok: false, reason: 'checksum' };
  if (ctx.ownAddresses.includes(meta.src)) return { ok: false, reason: 'own_packet' };
  if (a.version === 2) {
    const want = ctx.authPass === null ? VRRP_AUTH_NONE : VRRP_AUTH_PASS;
    if (a.authType !== want) return { ok: false, reason: 'auth_type', detail: `auth type ${a.authType}` };
    if (want === VRRP_AUTH_PASS) {
      const expect = Buffer.alloc(8);
      Buffer.from(ctx.authPass ?? '', 'utf8').copy(expect, 0, 0, 8);
      if (!expect.equals(a.authData)) return { ok: false, reason: 'auth' };
    }
  }
  // Priority 0 (a master resigning) is always acted on, whatever its address list says.
  if (a.priority !== 0 && a.addresses.length !== ctx.addressCount) {
    return {
      ok: false,
      reason: 'addr_count',
      detail: `${a.addresses.length} addresses, want ${ctx.addressCount}`,
    };
  }
  if (a.version === 3 && a.advertIntCs === 0) {
    // Adopting 0 would make Master_Down_Interval collapse to Skew_Time: a broken sender, not a master.
    return { ok: false, reason: 'advert_interval', detail: 'v3 interval 0' };
  }
  if (a.version === 2 && a.advertIntCs !== ctx.advertIntCs) {
    return {
      ok: false,
      reason: 'advert_interval',
      detail: `${a.advertIntCs / 100}s, want ${ctx.advertIntCs / 100}s`,
    };
  }
  return { ok: true, advert: a, checksumForm: form };
}

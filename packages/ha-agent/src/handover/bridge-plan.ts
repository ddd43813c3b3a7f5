// The handover bridge's decisions, pure (no sockets, no nft, no timers): whether a MASTER whose balancer
// just died may forward the VIP's new connections to its peer, and what each later event does to a
// bridge in place. The runtime (handover-bridge.ts) gathers the inputs and carries out the actions.
import type { ListenerHealth } from '@ha-lb/shared-config/health-api';

/** A TCP port or an inclusive range of them (HAProxy's `bind *:8000-8010`). */
export type PortRange = readonly [from: number, to: number];

/**
 * The ports the VIP's frontends listen on, from the health API's listener list: binds on every IPv4
 * address (`*:80`, `:80`, `0.0.0.0:80`, `[::]:80`, `:::80` — dual stack) or on one of the VIPs.
 * Unix sockets, `fd@`, `abns@` and other addresses are not the VIP's.
 */
export function frontendPorts(listeners: readonly ListenerHealth[], vips: readonly string[]): PortRange[] {
  const out = new Map<string, PortRange>();
  for (const l of listeners) {
    if (!l.listening) continue;
    const m = /^(?:ipv4@|ipv6@)?(.*):(\d{1,5})(?:-(\d{1,5}))?$/.exec(l.address);
    if (!m) continue;
    const host = m[1].replace(/^\[(.*)\]$/, '$1');
    if (!['', '*', '0.0.0.0', '::'].includes(host) && !vips.includes(host)) continue;
    const from = Number(m[2]);
    const to = m[3] === undefined ? from : Number(m[3]);
    if (from < 1 || to > 65535 || to < from) continue;
    out.set(`${from}-${to}`, [from, to]);
  }
  return [...out.values()].sort((a, b) => a[0] - b[0]);
}

export interface BridgeContext {
  /** the instance's VRRP state now (the fault is about to be acted on) */
  state: 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT';
  /** the peer's address (handover_peer / the only unicast_peer) */
  peer: string;
  /** this node's own addresses and VIPs: never a target */
  ownAddresses: readonly string[];
  ports: readonly PortRange[];
  /** a bridge of this instance is already in place (forwarding or draining) */
  bridging: boolean;
  /**
   * ms since the peer last resigned (a priority-0 advert from it), null if never: a peer that resigned
   * within `holdMs` may itself be bridging to us (its balancer died) — we are then the receiving end,
   * and a receiving node never forwards back
   */
  peerResignedAgoMs: number | null;
  /** how long a resigned peer may still be forwarding: its Master_Down_Interval + its drain */
  holdMs: number;
  /** the peer's balancer accepted a TCP connection just now; undefined: not asked yet */
  peerAnswers?: boolean;
}

export type BridgeVerdict =
  /** everything else allows it: ask the peer's balancer (a TCP connect) before installing */
  | { action: 'probe' }
  | { action: 'install' }
  /** no bridge: resign as keepalived would */
  | { action: 'resign'; reason: string };

/** Whether to bridge: a fixed order of refusals, the probe last (it is the only one that costs time). */
export function decideBridge(c: BridgeContext): BridgeVerdict {
  const no = (reason: string): BridgeVerdict => ({ action: 'resign', reason });
  if (c.state !== 'MASTER') return no(`not MASTER (${c.state}): nothing to hand over`);
  if (c.bridging) return no('a handover is already in progress');
  if (c.ownAddresses.includes(c.peer))
    return no(`handover peer ${c.peer} is this node: never forward to itself`);
  if (c.ports.length === 0) return no('no frontend port of the VIP known from the balancer');
  if (c.peerResignedAgoMs !== null && c.peerResignedAgoMs < c.holdMs) {
    return no(
      `peer ${c.peer} resigned ${Math.round(c.peerResignedAgoMs)} ms ago and may be forwarding to us: never forward back`,
    );
  }
  if (c.peerAnswers === undefined) return { action: 'probe' };
  if (!c.peerAnswers) return no(`peer ${c.peer}'s balancer does not answer: nothing to forward to`);
  return { action: 'install' };
}

/** A bridge in place: forwarding while the peer takes over, then draining what was forwarded. */
export type BridgePhase =
  | { phase: 'forwarding'; peer: string; sinceMs: number; deadlineMs: number }
  | { phase: 'draining'; peer: string; sinceMs: number; deadlineMs: number }
  | { phase: 'done'; outcome: BridgeOutcome; reason: string };

export type BridgeOutcome = 'handed-over' | 'peer-silent' | 'peer-resigned' | 'aborted';

export type BridgeEvent =
  /** an advert heard on the instance's link */
  | { type: 'advert'; src: string; priority: number; now: number }
  /** a timer of the phase ran out (`deadlineMs`) */
  | { type: 'deadline'; now: number }
  /**
   * draining: the connections still open through the bridge (null: cannot be counted), as read from
   * `readAt` on (a count is a snapshot: one taken before the draining began may miss a connection
   * opened just before the VIP left)
   */
  | { type: 'live'; count: number | null; now: number; readAt?: number }
  /** the instance became MASTER again (the peer failed too), or the agent stops */
  | { type: 'abort'; reason: string };

export type BridgeAction = 'removeVips' | 'removeRules' | 'watchDrain';

export interface BridgeStep {
  next: BridgePhase;
  actions: BridgeAction[];
}

export interface BridgeTiming {
  /** the longest wait for the peer's MASTER advert after our priority 0 (its Master_Down_Interval) */
  takeoverMs: number;
  /** handover_drain: the longest wait for bridged connections to end once the VIP left */
  drainMs: number;
}

/** The bridge starts forwarding the moment its rules are in, just before the priority-0 advert. */
export function startBridge(peer: string, now: number, t: BridgeTiming): BridgePhase {
  return { phase: 'forwarding', peer, sinceMs: now, deadlineMs: now + t.takeoverMs };
}

/**
 * - forwarding + the peer's advert with priority > 0: it is MASTER, its GARP is out — our VIP goes,
 *   and the forwarded connections drain;
 * - forwarding + the peer's priority 0: it gives up too — everything goes (no forwarding to a resigning
 *   node);
 * - forwarding past the deadline: the peer never took over — everything goes (a plain resign);
 * - draining: the rules go when nothing is left open through them, or at the drain deadline;
 * - abort: everything goes at once (the VIP stays if we are MASTER again: the caller knows).
 */
export function stepBridge(p: BridgePhase, ev: BridgeEvent, t: BridgeTiming): BridgeStep {
  const done = (outcome: BridgeOutcome, reason: string, actions: BridgeAction[]): BridgeStep => ({
    next: { phase: 'done', outcome, reason },
    actions,
  });
  if (p.phase === 'done') return { next: p, actions: [] };
  if (ev.type === 'abort') {
    return done('aborted', ev.reason, ['removeRules']);
  }
  if (p.phase === 'forwarding') {
    if (ev.type === 'advert' && ev.src === p.peer) {
      if (ev.priority === 0)
        return done('peer-resigned', `peer ${p.peer} resigned too (priority 0)`, [
          'removeVips',
          'removeRules',
        ]);
      return {
        next: { phase: 'draining', peer: p.peer, sinceMs: ev.now, deadlineMs: ev.now + t.drainMs },
        actions: ['removeVips', 'watchDrain'],
      };
    }
    if (ev.type === 'deadline' && ev.now >= p.deadlineMs) {
      return done(
        'peer-silent',
        `no advert from peer ${p.peer} within ${t.takeoverMs} ms: it did not take over`,
        ['removeVips', 'removeRules'],
      );
    }
    return { next: p, actions: [] };
  }
  // draining. The rules must outlive every bridged connection: with them goes the netns's last nat
  // chain, and with it the kernel's NAT of the connections conntrack still holds (a reply would then
  // reach us untranslated and be reset) — so only a count read after the draining began ends it.
  if (ev.type === 'live' && ev.count === 0 && (ev.readAt ?? ev.now) >= p.sinceMs)
    return done('handed-over', 'the bridged connections ended', ['removeRules']);
  if ((ev.type === 'deadline' || ev.type === 'live') && ev.now >= p.deadlineMs)
    return done('handed-over', `handover_drain ${t.drainMs / 1000}s is over`, ['removeRules']);
  return { next: p, actions: [] };
}

export interface ReturnContext {
  /** the advert's source and priority */
  src: string;
  priority: number;
  peer: string;
  ownAddresses: readonly string[];
  ports: readonly PortRange[];
  /** a bridge of ours is in place: we forward to the peer, so we are not its receiving end */
  bridging: boolean;
}

/**
 * Whether an advert makes us the receiving end of a handover, which opens the return path
 * (net/handover-nft.ts returnScript): the peer resigned (priority 0) and may be bridging its new
 * connections to us, so once our GARP moves the clients, their packets of those connections are sent
 * back to it instead of being reset by us. Never while we bridge ourselves (one direction only: the
 * two ends are never both), never towards this node, only with the balancer's ports known.
 */
export function decideReturnPath(c: ReturnContext): { open: true } | { open: false; reason: string } {
  if (c.src !== c.peer || c.priority !== 0) return { open: false, reason: 'not the peer resigning' };
  if (c.bridging) return { open: false, reason: 'we forward to the peer ourselves: never both ends' };
  if (c.ownAddresses.includes(c.peer)) return { open: false, reason: `handover peer ${c.peer} is this node` };
  if (c.ports.length === 0) return { open: false, reason: 'no frontend port of the VIP known' };
  return { open: true };
}

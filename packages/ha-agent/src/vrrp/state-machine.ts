// The VRRP state machine of one virtual router: RFC 9568 §6.4 (which RFC 3768 matches for v2) plus
// keepalived's FAULT state. Pure: it is fed events with the current time and answers with actions; the
// instance runtime owns sockets, timers and processes. Times are milliseconds (floats).
import { addressBytes } from './checksum.ts';
import { compareAddresses, masterDownIntervalMs, skewTimeMs } from './timers.ts';

export type VrrpState = 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT';
export type TimerName = 'adver' | 'masterDown';

export interface StateMachineOptions {
  version: 2 | 3;
  /** Effective priority 1..255 (255: address owner). */
  priority: number;
  /** Our Advertisement_Interval. */
  advertIntervalMs: number;
  /** false: `nopreempt`. */
  preempt: boolean;
  /** keepalived's `preempt_delay`: after startup or first seeing a lower-priority master. */
  preemptDelayMs: number;
  /** Our primary address, for the equal-priority tie-break. */
  primaryAddress: string;
}

export type VrrpEvent =
  | { type: 'startup' }
  | { type: 'shutdown' }
  | { type: 'timer'; timer: TimerName }
  | { type: 'advert'; priority: number; advertIntervalMs: number; src: string }
  /**
   * What the instance's trackers (and its sync group) say now: the effective priority, and why the
   * instance must be in FAULT (null: it need not). The machine decides whether that starts or ends a
   * FAULT; repeating the same reading changes nothing.
   */
  | { type: 'tracking'; priority: number; fault: string | null }
  /** Sync groups: a sibling became MASTER / left MASTER. */
  | { type: 'syncMaster'; reason: string }
  | { type: 'syncBackup'; reason: string };

export type VrrpAction =
  | { type: 'sendAdvert'; priority: number }
  | { type: 'startTimer'; timer: TimerName; delayMs: number; at: number }
  | { type: 'stopTimer'; timer: TimerName }
  | { type: 'addVips' }
  | { type: 'removeVips' }
  | { type: 'startGarp' }
  | { type: 'stopGarp' }
  /** a lower-priority advert reached us as MASTER: the garp_lower_prio_* announcements */
  | { type: 'lowerPriorityGarp' }
  | { type: 'transition'; from: VrrpState; to: VrrpState; reason: string };

export interface MasterSeen {
  address: string;
  priority: number;
  at: number;
}

export class VrrpStateMachine {
  #opts: StateMachineOptions;
  #state: VrrpState = 'INIT';
  #masterAdverIntervalMs: number;
  #startedAt = 0;
  #lowerSeenSince: number | null = null;
  #master: MasterSeen | null = null;
  #ownAddress: Buffer;
  /** BACKUP: the master that resigned with priority 0 (the Master_Down_Timer now runs Skew_Time) */
  #resignedBy: string | null = null;
  /** FAULT: why, for the reason given when it ends */
  #faultReason: string | null = null;

  constructor(opts: StateMachineOptions) {
    this.#opts = { ...opts };
    this.#masterAdverIntervalMs = opts.advertIntervalMs;
    this.#ownAddress = addressBytes(opts.primaryAddress);
  }

  get state(): VrrpState {
    return this.#state;
  }
  get priority(): number {
    return this.#opts.priority;
  }
  get masterAdverIntervalMs(): number {
    return this.#masterAdverIntervalMs;
  }
  get masterSeen(): MasterSeen | null {
    return this.#master;
  }
  skewTimeMs(): number {
    return skewTimeMs(this.#opts.version, this.#opts.priority, this.#masterAdverIntervalMs);
  }
  masterDownIntervalMs(): number {
    return masterDownIntervalMs(this.#opts.version, this.#opts.priority, this.#masterAdverIntervalMs);
  }

  handle(ev: VrrpEvent, now: number): VrrpAction[] {
    switch (ev.type) {
      case 'startup':
        return this.#startup(now);
      case 'shutdown':
        return this.#shutdown();
      case 'timer':
        return this.#timer(ev.timer, now);
      case 'advert':
        return this.#advert(ev, now);
      case 'tracking':
        return this.#tracking(ev.priority, ev.fault, now);
      case 'syncMaster':
        return this.#state === 'BACKUP' ? this.#becomeMaster(now, ev.reason) : [];
      case 'syncBackup':
        return this.#state === 'MASTER'
          ? this.#becomeBackup(now, ev.reason, this.masterDownIntervalMs())
          : [];
    }
  }

  #adverTimer(now: number): VrrpAction {
    const d = this.#opts.advertIntervalMs;
    return { type: 'startTimer', timer: 'adver', delayMs: d, at: now + d };
  }
  #downTimer(now: number, d: number): VrrpAction {
    return { type: 'startTimer', timer: 'masterDown', delayMs: d, at: now + d };
  }
  #go(to: VrrpState, reason: string): VrrpAction {
    const from = this.#state;
    this.#state = to;
    return { type: 'transition', from, to, reason };
  }

  #startup(now: number): VrrpAction[] {
    if (this.#state !== 'INIT') return [];
    return this.#begin(now, 'startup', 'address owner (priority 255)');
  }

  /**
   * Start-up and the end of a FAULT: the address owner becomes MASTER at once, any other router BACKUP
   * waiting Master_Down_Interval; preempt_delay counts from here.
   */
  #begin(now: number, reason: string, ownerReason = reason): VrrpAction[] {
    this.#startedAt = now;
    this.#lowerSeenSince = null;
    this.#resignedBy = null;
    if (this.#opts.priority === 255) return this.#becomeMaster(now, ownerReason);
    this.#masterAdverIntervalMs = this.#opts.advertIntervalMs;
    return [this.#go('BACKUP', reason), this.#downTimer(now, this.masterDownIntervalMs())];
  }

  /**
   * Leaving MASTER or BACKUP for INIT (shutdown) or FAULT is the same exit: a MASTER resigns with
   * priority 0, which tells the backups to take over after Skew_Time rather than Master_Down_Interval.
   */
  #leave(to: 'INIT' | 'FAULT', reason: string): VrrpAction[] {
    if (this.#state === 'MASTER') {
      return [
        { type: 'stopTimer', timer: 'adver' },
        { type: 'sendAdvert', priority: 0 },
        { type: 'stopGarp' },
        { type: 'removeVips' },
        this.#go(to, reason),
      ];
    }
    return [{ type: 'stopTimer', timer: 'masterDown' }, this.#go(to, reason)];
  }

  #shutdown(): VrrpAction[] {
    switch (this.#state) {
      case 'MASTER':
      case 'BACKUP':
        return this.#leave('INIT', 'shutdown');
      case 'FAULT':
        return [this.#go('INIT', 'shutdown')];
      default:
        return [];
    }
  }

  #becomeMaster(now: number, reason: string): VrrpAction[] {
    this.#master = null;
    this.#resignedBy = null;
    return [
      { type: 'stopTimer', timer: 'masterDown' },
      { type: 'sendAdvert', priority: this.#opts.priority },
      { type: 'addVips' },
      { type: 'startGarp' },
      this.#adverTimer(now),
      this.#go('MASTER', reason),
    ];
  }

  #becomeBackup(now: number, reason: string, downMs: number): VrrpAction[] {
    return [
      { type: 'stopTimer', timer: 'adver' },
      { type: 'stopGarp' },
      { type: 'removeVips' },
      this.#downTimer(now, downMs),
      this.#go('BACKUP', reason),
    ];
  }

  #timer(timer: TimerName, now: number): VrrpAction[] {
    if (timer === 'adver' && this.#state === 'MASTER') {
      return [{ type: 'sendAdvert', priority: this.#opts.priority }, this.#adverTimer(now)];
    }
    if (timer === 'masterDown' && this.#state === 'BACKUP') {
      const why = this.#resignedBy
        ? `master ${this.#resignedBy} resigned (priority 0 advert); took over after Skew_Time`
        : 'master down timer expired';
      return this.#becomeMaster(now, why);
    }
    return [];
  }

  #advert(ev: { priority: number; advertIntervalMs: number; src: string }, now: number): VrrpAction[] {
    const v3 = this.#opts.version === 3;
    if (this.#state === 'BACKUP') {
      if (ev.priority === 0) {
        // The master resigned: take over after Skew_Time only (RFC 9568 §6.4.2).
        this.#resignedBy = ev.src;
        return [this.#downTimer(now, this.skewTimeMs())];
      }
      const lower = ev.priority < this.#opts.priority;
      if (!this.#opts.preempt || !lower || !this.#preemptAllowed(now)) {
        if (!lower) this.#lowerSeenSince = null;
        if (v3) this.#masterAdverIntervalMs = ev.advertIntervalMs;
        this.#master = { address: ev.src, priority: ev.priority, at: now };
        this.#resignedBy = null;
        return [this.#downTimer(now, this.masterDownIntervalMs())];
      }
      // Preempting: discard, so the Master_Down_Timer runs out and we take over.
      return [];
    }
    if (this.#state === 'MASTER') {
      if (ev.priority === 0) {
        return [{ type: 'sendAdvert', priority: this.#opts.priority }, this.#adverTimer(now)];
      }
      const theirs = addressBytes(ev.src);
      const wins =
        ev.priority > this.#opts.priority ||
        (ev.priority === this.#opts.priority && compareAddresses(theirs, this.#ownAddress) > 0);
      if (wins) {
        if (v3) this.#masterAdverIntervalMs = ev.advertIntervalMs;
        this.#master = { address: ev.src, priority: ev.priority, at: now };
        const why =
          ev.priority > this.#opts.priority
            ? `higher priority advert (${ev.priority} > ${this.#opts.priority}) from ${ev.src}`
            : `equal priority advert from higher address ${ev.src}`;
        return this.#becomeBackup(now, why, this.masterDownIntervalMs());
      }
      // keepalived answers a lower-priority master at once so it steps down without waiting a full
      // interval (RFC 9568 would only discard it), and re-announces the VIPs (garp_lower_prio_*).
      const answer: VrrpAction[] = [
        { type: 'sendAdvert', priority: this.#opts.priority },
        this.#adverTimer(now),
      ];
      if (ev.priority < this.#opts.priority) answer.push({ type: 'lowerPriorityGarp' });
      return answer;
    }
    return [];
  }

  #preemptAllowed(now: number): boolean {
    if (this.#opts.preemptDelayMs <= 0) return true;
    if (this.#lowerSeenSince === null) this.#lowerSeenSince = now;
    const since = Math.max(this.#startedAt, this.#lowerSeenSince);
    return now >= since + this.#opts.preemptDelayMs;
  }

  #tracking(priority: number, fault: string | null, now: number): VrrpAction[] {
    this.#opts.priority = priority;
    if (fault !== null) return this.#fault(fault);
    if (this.#state !== 'FAULT') return [];
    const was = this.#faultReason;
    return this.#begin(now, was ? `fault cleared (was: ${was})` : 'fault cleared');
  }

  #fault(reason: string): VrrpAction[] {
    this.#faultReason = reason;
    switch (this.#state) {
      case 'MASTER':
      case 'BACKUP':
        return this.#leave('FAULT', reason);
      case 'INIT':
        // Faulty from the start: never advertise.
        this.#startedAt = 0;
        return [this.#go('FAULT', reason)];
      default:
        return [];
    }
  }
}

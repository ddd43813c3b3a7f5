/**
 * The counters every view reads (stats page, CSV, JSON, `show stat`, `show info`): one set per
 * frontend, per backend and per server, with HAProxy 2.6's meanings (doc/management.txt §9.1, the
 * `stats_fill_*_stats` functions). The data path updates plain numeric fields in place — no
 * allocation per connection or request; the views take a snapshot (stats/snapshot.ts).
 */
import { FreqCtr } from './freq-ctr.ts';

/** HAProxy's TIME_STATS_SAMPLES: qtime/ctime/rtime/ttime are averages over the last 1024 samples. */
export const TIME_STATS_SAMPLES = 1024;

/** Counters shared by frontends, backends and servers. */
class Common {
  /** current sessions (frontend: connections; backend/server: exchanges assigned) */
  scur = 0;
  smax = 0;
  stot = 0;
  bin = 0;
  bout = 0;
  /** `hrsp_other`, `hrsp_1xx` … `hrsp_5xx`: index = status / 100 (0 = other) */
  readonly hrsp = new Float64Array(6);
  /** new sessions per second */
  readonly sessRate = new FreqCtr();
  rateMax = 0;
  /** HTTP requests */
  reqTot = 0;
  /** response denied by a rule (`dresp`) */
  dresp = 0;
  /** request denied by a rule (`dreq`) */
  dreq = 0;
  cliAbrt = 0;
  srvAbrt = 0;
  wrew = 0;
  eint = 0;

  /** One more session at `now` (ms). */
  open(now: number): void {
    if (++this.scur > this.smax) this.smax = this.scur;
    this.stot++;
    const r = this.sessRate.add(now);
    if (r > this.rateMax) this.rateMax = r;
  }

  close(): void {
    if (this.scur > 0) this.scur--;
  }

  /** `clear counters`: the maxima only. */
  clearMax(): void {
    this.smax = this.scur;
    this.rateMax = 0;
  }

  /** `clear counters all`: everything but what is current. */
  clearAll(): void {
    this.smax = this.scur;
    this.stot = 0;
    this.bin = 0;
    this.bout = 0;
    this.hrsp.fill(0);
    // (the current rates are not counters: HAProxy keeps them)
    this.rateMax = 0;
    this.reqTot = 0;
    this.dresp = 0;
    this.dreq = 0;
    this.cliAbrt = 0;
    this.srvAbrt = 0;
    this.wrew = 0;
    this.eint = 0;
  }
}

export class FrontendCounters extends Common {
  ereq = 0;
  dcon = 0;
  dses = 0;
  /** requests answered by the proxy itself (stats page, monitor-uri) */
  intercepted = 0;
  connTot = 0;
  readonly connRate = new FreqCtr();
  connRateMax = 0;
  readonly reqRate = new FreqCtr();
  reqRateMax = 0;
  /**
   * The h1 module's counters restart at every `clear counters` (HAProxy clears module counters
   * either way): connTot, streams, bin, bout at the last clear, subtracted when shown.
   */
  readonly h1Base = new Float64Array(4);

  /** A connection accepted at `now`. */
  accept(now: number): void {
    this.open(now);
    this.connTot++;
    const r = this.connRate.add(now);
    if (r > this.connRateMax) this.connRateMax = r;
  }

  /** An HTTP request (its head read, valid or not) at `now`. */
  request(now: number): void {
    this.reqTot++;
    const r = this.reqRate.add(now);
    if (r > this.reqRateMax) this.reqRateMax = r;
  }

  override clearMax(): void {
    super.clearMax();
    this.connRateMax = 0;
    this.reqRateMax = 0;
    this.h1Base[0] = this.connTot;
    this.h1Base[1] = this.reqTot - this.ereq;
    this.h1Base[2] = this.bin;
    this.h1Base[3] = this.bout;
  }

  override clearAll(): void {
    super.clearAll();
    this.connRateMax = 0;
    this.reqRateMax = 0;
    this.ereq = 0;
    this.dcon = 0;
    this.dses = 0;
    this.intercepted = 0;
    this.connTot = 0;
    this.h1Base.fill(0);
  }
}

/** What backends and servers count about the exchanges sent to them. */
class Served extends Common {
  econ = 0;
  eresp = 0;
  // (retries and redispatches are the queue module's: ServerState.retries, BackendLoad.retries)
  /** picked by the load-balancing algorithm (not by persistence) */
  lbtot = 0;
  /** new server connections made / pooled ones reused */
  connect = 0;
  reuse = 0;
  /** when the last exchange was assigned, ms; 0 = never */
  lastSess = 0;
  // HAProxy's sliding sums (swrate) of the four timers, ms, and their maxima
  qtime = 0;
  ctime = 0;
  rtime = 0;
  ttime = 0;
  qtimeMax = 0;
  ctimeMax = 0;
  rtimeMax = 0;
  ttimeMax = 0;
  /** exchanges whose timers were added (the window of the averages until it reaches 1024) */
  timed = 0;

  /**
   * One finished exchange's timers (ms; -1 = phase not reached, as HAProxy's logs), as
   * stream_update_time_stats(): qtime, ctime (connect), rtime (response head), ttime (total).
   */
  addTimes(tq: number, tc: number, tr: number, tt: number): void {
    const n = this.timed >= TIME_STATS_SAMPLES ? TIME_STATS_SAMPLES : 0;
    this.timed++;
    const q = Math.max(tq, 0);
    const c = Math.max(tc, 0);
    const r = Math.max(tr, 0);
    const t = Math.max(tt, 0);
    this.qtime = swrateAddDynamic(this.qtime, n, q);
    this.ctime = swrateAddDynamic(this.ctime, n, c);
    this.rtime = swrateAddDynamic(this.rtime, n, r);
    this.ttime = swrateAddDynamic(this.ttime, n, t);
    if (q > this.qtimeMax) this.qtimeMax = q;
    if (c > this.ctimeMax) this.ctimeMax = c;
    if (r > this.rtimeMax) this.rtimeMax = r;
    if (t > this.ttimeMax) this.ttimeMax = t;
  }

  /** An average timer as the stats show it (swrate_avg over min(samples, 1024)). */
  avg(sum: number): number {
    const w = this.timed > 0 && this.timed < TIME_STATS_SAMPLES ? this.timed : TIME_STATS_SAMPLES;
    return Math.floor((sum + w - 1) / w);
  }

  override clearMax(): void {
    super.clearMax();
    this.qtimeMax = 0;
    this.ctimeMax = 0;
    this.rtimeMax = 0;
    this.ttimeMax = 0;
  }

  override clearAll(): void {
    super.clearAll();
    this.clearMax();
    this.econ = 0;
    this.eresp = 0;
    this.lbtot = 0;
    this.connect = 0;
    this.reuse = 0;
    this.lastSess = 0;
    this.qtime = 0;
    this.ctime = 0;
    this.rtime = 0;
    this.ttime = 0;
    this.timed = 0;
  }
}

export class BackendCounters extends Served {
  /** the h1 module's connect and request counts at the last `clear counters` */
  readonly h1Base = new Float64Array(2);

  override clearMax(): void {
    super.clearMax();
    this.h1Base[0] = this.connect;
    this.h1Base[1] = this.reqTot;
  }

  /** servers going DOWN → the backend has none left (`chkdown` of the BACKEND line) */
  chkdown = 0;
  /** when the backend last changed between UP and DOWN, ms */
  lastChange = Date.now();
  /** accumulated time without a usable server, ms, and when the current outage began (0 = none) */
  downtime = 0;
  downSince = 0;

  override clearAll(): void {
    super.clearAll();
    this.chkdown = 0;
    this.h1Base.fill(0);
  }
}

export class ServerCounters extends Served {
  /** failed checks, and UP → DOWN transitions */
  chkfail = 0;
  chkdown = 0;
  /** observed errors that counted against the server (`hanafail`) */
  hanafail = 0;
  /** when the server last changed state, ms */
  lastChange = Date.now();
  /** accumulated DOWN time, ms, and since when it is down now (0 = up) */
  downtime = 0;
  downSince = 0;

  override clearAll(): void {
    super.clearAll();
    this.chkfail = 0;
    this.chkdown = 0;
    this.hanafail = 0;
  }
}

/** swrate_add_dynamic(): with n = 0 the sum just accumulates (fewer samples than the window). */
export function swrateAddDynamic(sum: number, n: number, v: number): number {
  return n === 0 ? sum + v : sum - Math.floor((sum + n - 1) / n) + v;
}

/** HAProxy's status class index of an HTTP status (rsp[n]): 1–5, else 0 (other). */
export function statusClass(status: number): number {
  const n = Math.floor(status / 100);
  return n >= 1 && n <= 5 ? n : 0;
}

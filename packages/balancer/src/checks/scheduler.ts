/**
 * Runs the health checks of every checked server: one timer per server, spread over the interval at
 * start-up as HAProxy does, HAProxy's health counter (health-counter.ts) deciding UP and DOWN, and
 * HAProxy's wording on stderr (health-log.ts). A change goes through setServerUp, so the load
 * balancer stops picking a DOWN server at once and the health API hears of it (StateEvents); the
 * connections a DOWN server already has stay (HAProxy's default without on-marked-down).
 */
import { type BackendState, setServerUp } from '../backend/backend.ts';
import { ADMIN_MAINT, type ServerState } from '../backend/server.ts';
import type { StateEvents } from '../backend/state-events.ts';
import { LOG_ALERT, LOG_EMERG, LOG_NOTICE } from '../log/log-spec.ts';
import type { MessageSink } from '../log/messages.ts';
import { type CheckResult, passed, reasonText } from './check-result.ts';
import type { BackendCheckSpec, CheckGlobals, ServerCheckSpec } from './check-spec.ts';
import {
  afterCheck,
  checkInterval,
  counterText,
  firstCheckDelay,
  initialHealth,
  jitter,
  spreadBase,
} from './health-counter.ts';
import {
  healthCheckLine,
  noServerLine,
  noServerLogLine,
  type ServerCounts,
  transitionLine,
} from './health-log.ts';
import { describeEvent, type ObservedEvent, verdict } from './observe.ts';
import { type RunningProbe, runProbe } from './probe.ts';

export interface HealthChecks {
  /** the checked servers' monitors, in check order */
  readonly monitors: readonly ServerHealth[];
  stop(): void;
}

/** One checked server: its counter, its timer, its probe in flight. */
export class ServerHealth {
  readonly be: BackendState;
  readonly srv: ServerState;
  readonly check: ServerCheckSpec;
  readonly bcheck: BackendCheckSpec;
  health: number;
  /** the last check's (or observed error's) result, for the next UP/DOWN line */
  last: CheckResult | null = null;
  private forceFast = false;
  private errors = 0;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = 0;
  private probe: RunningProbe | null = null;
  private stopped = false;
  /** `disable health` pauses the checks (the server keeps its state); `enable health` resumes them */
  enabled = true;
  private readonly events: StateEvents;
  private readonly messages: MessageSink;
  private readonly globals: CheckGlobals;

  constructor(
    be: BackendState,
    srv: ServerState,
    events: StateEvents,
    messages: MessageSink,
    globals: CheckGlobals,
  ) {
    this.be = be;
    this.srv = srv;
    this.check = srv.spec.check!;
    this.bcheck = be.spec.checks!;
    this.health = initialHealth(this.check);
    this.events = events;
    this.messages = messages;
    this.globals = globals;
    if (this.check.observe !== null) srv.observe = (e) => this.observe(e);
  }

  /** a check is running now (the stats show `* L4OK`) */
  get inProgress(): boolean {
    return this.probe !== null;
  }

  /** srv_getinter() now. */
  interval(): number {
    return checkInterval(this.health, this.srv.healthUp, this.check, this.check, this.forceFast);
  }

  schedule(delay: number): void {
    if (this.stopped) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timerAt = Date.now() + delay;
    this.timer = setTimeout(() => this.run(), delay);
    this.timer.unref?.();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.probe?.abort();
    this.probe = null;
    if (this.srv.observe) this.srv.observe = undefined;
  }

  private run(): void {
    this.timer = null;
    if (this.stopped) return;
    if (!this.enabled || (this.srv.admin & ADMIN_MAINT) !== 0) {
      this.schedule(this.interval());
      return;
    }
    const spec = this.srv.spec;
    const c = this.check;
    const probe = runProbe({
      host: c.addr?.host ?? spec.host,
      port: c.port ?? c.addr?.port ?? spec.port,
      path: c.addr === null && c.port === null ? spec.path : null,
      method: this.bcheck.method,
      inter: c.inter,
      timeoutCheck: this.bcheck.timeoutCheck,
      timeoutConnect: this.bcheck.timeoutConnect,
      tls: spec.checkTls ?? null,
    });
    this.probe = probe;
    probe.result.then((r) => {
      if (this.stopped || this.probe !== probe) return;
      this.probe = null;
      this.apply(r);
      const next = jitter(this.interval(), this.globals.spreadChecks, Math.random());
      this.forceFast = false;
      this.schedule(next);
    });
  }

  /** A check's result (or an observed error) through the counter, logged as HAProxy does. */
  apply(r: CheckResult): void {
    this.last = r;
    const ok = passed(r);
    const { health, reported } = afterCheck(this.health, ok, this.check);
    this.health = health;
    if (ok && this.check.observe !== null) this.errors = 0;
    const be = this.be.spec.name;
    const name = this.srv.spec.name;
    const backup = this.srv.spec.backup;
    if (reported && this.bcheck.logHealthChecks) {
      const line = healthCheckLine(
        be,
        name,
        backup,
        r,
        ok,
        counterText(health, this.check, this.srv.spec.weight),
      );
      this.messages.warning(line);
      this.messages.proxyLog?.(be, LOG_NOTICE, line);
    }
    if (r.status === 'HANA') this.srv.counters.hanafail++;
    else if (!ok) this.srv.counters.chkfail++;
    if (!ok && health === 0 && this.srv.healthUp) this.transition(false, r);
    else if (ok && health >= this.check.rise && !this.srv.healthUp) this.transition(true, r);
  }

  private transition(up: boolean, r: CheckResult): void {
    const moved = setServerUp(this.events, this.be, this.srv, up, reasonText(r));
    const counts = countsOf(this.be);
    const sessions = Math.max(0, this.srv.conns - this.srv.idle.length);
    const shown = this.bcheck.logHealthChecks ? null : r;
    const line = transitionLine(
      this.be.spec.name,
      this.srv.spec.name,
      this.srv.spec.backup,
      up,
      shown,
      counts,
      sessions,
      moved,
      this.srv.queue.length,
    );
    this.messages.warning(line);
    // HAProxy sends the same line to the backend's log targets: UP at notice, DOWN at alert
    this.messages.proxyLog?.(this.be.spec.name, up ? LOG_NOTICE : LOG_ALERT, line);
    if (!up && counts.active === 0 && counts.backup === 0) {
      this.messages.alert(noServerLine(this.be.spec.name));
      this.messages.proxyLog?.(this.be.spec.name, LOG_EMERG, noServerLogLine(this.be.spec.name));
    }
  }

  /** `observe`: an event of live traffic on this server. */
  observe(event: ObservedEvent): void {
    const layer = this.check.observe;
    if (layer === null || this.stopped) return;
    const v = verdict(event, layer);
    if (v === null) return;
    if (v === 'ok') {
      this.errors = 0;
      return;
    }
    if (++this.errors < this.check.errorLimit) return;
    const info = `Detected ${this.errors} consecutive errors, last one was: ${describeEvent(event)}`;
    this.forceFast = true;
    const rise = this.check.rise;
    const hana: CheckResult = { status: 'HANA', code: 0, info, durationMs: -1 };
    switch (this.check.onError) {
      case 'fastinter':
        break;
      case 'sudden-death':
        if (this.health > rise) this.health = rise + 1;
        this.apply(hana);
        break;
      case 'fail-check':
        this.apply(hana);
        break;
      case 'mark-down':
        this.health = rise;
        this.apply(hana);
        break;
    }
    this.errors = 0;
    // fastinter takes effect now when it is sooner than the check already planned
    if (this.timer !== null && this.probe === null) {
      const soon = this.interval();
      if (Date.now() + soon < this.timerAt) this.schedule(soon);
    }
  }
}

function countsOf(be: BackendState): ServerCounts {
  let active = 0;
  let backup = 0;
  for (const s of be.servers) if (s.up) s.spec.backup ? backup++ : active++;
  return { active, backup };
}

/** Starts the checks of every server with `check` (disabled servers are not checked). */
export function startHealthChecks(
  backends: readonly BackendState[],
  events: StateEvents,
  messages: MessageSink,
  globals: CheckGlobals,
): HealthChecks {
  const monitors: ServerHealth[] = [];
  for (const be of backends) {
    if (!be.spec.checks) continue;
    for (const srv of be.servers)
      if (srv.spec.check && !srv.spec.disabled)
        monitors.push(new ServerHealth(be, srv, events, messages, globals));
  }
  const base = spreadBase(monitors.map((m) => m.interval()));
  monitors.forEach((m, pos) => {
    let own = m.interval();
    if (globals.spreadChecks > 0) own = jitter(own, globals.spreadChecks, Math.random());
    m.schedule(firstCheckDelay(pos, monitors.length, base, own, globals.maxSpreadChecks));
  });
  return {
    monitors,
    stop() {
      for (const m of monitors) m.stop();
    },
  };
}

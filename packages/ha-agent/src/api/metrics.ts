import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { EventLoopMonitor } from './event-loop-monitor.ts';
import type { AgentStatus, VrrpStateName } from './status-schema.ts';

const STATES: readonly VrrpStateName[] = ['INIT', 'BACKUP', 'MASTER', 'FAULT', 'STOP'];

/**
 * Prometheus metrics, computed from the same AgentStatus as `/status` at scrape time (collect callbacks),
 * so the two can never disagree and nothing is counted twice on the hot path. Its own Registry: no
 * global state shared with other code in the process. Node's default metrics (with the event-loop lag
 * from monitorEventLoopDelay) come with the `ha_agent_` prefix.
 */
export function createMetricsRegistry(getStatus: () => AgentStatus, eventLoop?: EventLoopMonitor): Registry {
  const register = new Registry();
  collectDefaultMetrics({ register, prefix: 'ha_agent_', eventLoopMonitoringPrecision: 10 });
  // One status snapshot per scrape, shared by every collect callback below.
  let snap: AgentStatus | null = null;
  let snapAt = -1;
  const status = () => {
    const now = performance.now();
    if (!snap || now - snapAt > 50) {
      snap = getStatus();
      snapAt = now;
    }
    return snap;
  };

  new Gauge({
    name: 'ha_agent_vrrp_state',
    help: 'VRRP state of the instance: 1 for the current state, 0 for the others',
    labelNames: ['instance', 'state'],
    registers: [register],
    collect() {
      this.reset();
      for (const i of status().instances)
        for (const s of STATES) this.set({ instance: i.name, state: s }, i.state === s ? 1 : 0);
    },
  });
  new Gauge({
    name: 'ha_agent_vrrp_priority',
    help: 'VRRP priority: base (configured) and effective (after tracker weights)',
    labelNames: ['instance', 'kind'],
    registers: [register],
    collect() {
      this.reset();
      for (const i of status().instances) {
        this.set({ instance: i.name, kind: 'base' }, i.basePriority);
        this.set({ instance: i.name, kind: 'effective' }, i.effectivePriority);
      }
    },
  });
  const counter = (name: string, help: string, labelNames: string[], fill: (c: Counter<string>) => void) =>
    new Counter({
      name,
      help,
      labelNames,
      registers: [register],
      collect() {
        this.reset();
        fill(this);
      },
    });
  counter('ha_agent_vrrp_adverts_sent_total', 'VRRP adverts sent', ['instance'], (c) => {
    for (const i of status().instances) c.inc({ instance: i.name }, i.counters.advertsSent);
  });
  counter('ha_agent_vrrp_adverts_received_total', 'valid VRRP adverts received', ['instance'], (c) => {
    for (const i of status().instances) c.inc({ instance: i.name }, i.counters.advertsReceived);
  });
  counter(
    'ha_agent_vrrp_priority_zero_total',
    'adverts with priority 0 (a master resigning)',
    ['instance', 'direction'],
    (c) => {
      for (const i of status().instances) {
        c.inc({ instance: i.name, direction: 'sent' }, i.counters.priorityZeroSent);
        c.inc({ instance: i.name, direction: 'received' }, i.counters.priorityZeroReceived);
      }
    },
  );
  counter(
    'ha_agent_vrrp_drops_total',
    'received VRRP packets dropped, by reason',
    ['instance', 'reason'],
    (c) => {
      for (const i of status().instances)
        for (const [reason, n] of Object.entries(i.counters.drops)) c.inc({ instance: i.name, reason }, n);
    },
  );
  counter(
    'ha_agent_vrrp_transitions_total',
    'state transitions since start, by target state',
    ['instance', 'to'],
    (c) => {
      for (const i of status().instances)
        for (const [to, n] of Object.entries(i.transitionCounts)) c.inc({ instance: i.name, to }, n);
    },
  );
  new Gauge({
    name: 'ha_agent_tracker_up',
    help: 'tracked object health (1 up, 0 down) per instance',
    labelNames: ['instance', 'tracker', 'kind'],
    registers: [register],
    collect() {
      this.reset();
      for (const i of status().instances)
        for (const t of i.trackers)
          this.set({ instance: i.name, tracker: t.name, kind: t.kind }, t.up ? 1 : 0);
    },
  });
  // The handover bridge (instances with handover_peer / handover_bridge only).
  const HANDOVER_PHASES = ['off', 'armed', 'forwarding', 'draining'] as const;
  new Gauge({
    name: 'ha_agent_handover_phase',
    help: 'handover bridge phase: 1 for the current one (off, armed, forwarding, draining), 0 for the others',
    labelNames: ['instance', 'phase'],
    registers: [register],
    collect() {
      this.reset();
      for (const i of status().instances)
        if (i.handover)
          for (const p of HANDOVER_PHASES)
            this.set({ instance: i.name, phase: p }, i.handover.phase === p ? 1 : 0);
    },
  });
  new Gauge({
    name: 'ha_agent_handover_open_connections',
    help: 'connections open through the handover bridge now (conntrack; absent when it cannot be read)',
    labelNames: ['instance'],
    registers: [register],
    collect() {
      this.reset();
      for (const i of status().instances)
        if (i.handover && i.handover.openConnections !== null)
          this.set({ instance: i.name }, i.handover.openConnections);
    },
  });
  counter(
    'ha_agent_handovers_total',
    'handover bridges ended, by outcome (handed-over, peer-silent, peer-resigned, aborted)',
    ['instance', 'outcome'],
    (c) => {
      for (const i of status().instances)
        for (const [outcome, n] of Object.entries(i.handover?.outcomes ?? {}))
          c.inc({ instance: i.name, outcome }, n);
    },
  );
  if (eventLoop) {
    counter('ha_agent_event_loop_stalls_total', 'event-loop stalls longer than the VRRP threshold', [], (c) =>
      c.inc(eventLoop.stalls),
    );
    new Gauge({
      name: 'ha_agent_event_loop_stall_threshold_seconds',
      help: 'stall threshold (a quarter of the smallest advert_int)',
      registers: [register],
      collect() {
        this.set(eventLoop.thresholdMs / 1000);
      },
    });
  }
  return register;
}

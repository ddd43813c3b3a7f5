import type { AgentStatus, InstanceStatus } from '../../src/api/status-schema.ts';

/** A plausible status for tests and docs: one MASTER instance tracking a balancer and an interface. */
export function fakeInstanceStatus(over: Partial<InstanceStatus> = {}): InstanceStatus {
  return {
    name: 'VI_1',
    state: 'MASTER',
    interface: 'eth0',
    virtualRouterId: 51,
    version: 2,
    family: 4,
    advertInterval: 1,
    basePriority: 150,
    effectivePriority: 150,
    syncGroup: null,
    master: { seen: true, address: '10.0.0.1', priority: 150, lastAdvertAt: null },
    vips: [{ address: '10.0.0.100', prefix: 24, family: 4, dev: 'eth0', installed: true }],
    trackers: [
      {
        name: 'lb',
        kind: 'balancer',
        up: true,
        weight: 0,
        reverse: false,
        fault: false,
        delta: 0,
        reason: 'balancer ready',
      },
      {
        name: 'eth0',
        kind: 'interface',
        up: true,
        weight: 0,
        reverse: false,
        fault: false,
        delta: 0,
        reason: 'interface eth0 up',
      },
    ],
    transitions: [
      { at: '2026-01-01T00:00:00.000Z', from: 'INIT', to: 'BACKUP', reason: 'start' },
      { at: '2026-01-01T00:00:03.600Z', from: 'BACKUP', to: 'MASTER', reason: 'master down timer expired' },
    ],
    transitionCounts: { BACKUP: 1, MASTER: 1 },
    counters: {
      advertsSent: 42,
      advertsReceived: 3,
      priorityZeroReceived: 0,
      priorityZeroSent: 0,
      drops: { checksum: 2, ttl: 1 },
    },
    ...over,
  };
}

export function fakeAgentStatus(instances: InstanceStatus[] = [fakeInstanceStatus()]): AgentStatus {
  return {
    version: '0.1.0',
    pid: process.pid,
    routerId: 'HA_DEVEL',
    startedAt: '2026-01-01T00:00:00.000Z',
    uptimeSeconds: 12.5,
    instances,
    eventLoop: {
      delayP50Ms: 1,
      delayP99Ms: 2,
      delayMaxMs: 3,
      stalls: 0,
      stallThresholdMs: 250,
      lastStallMs: null,
    },
  };
}

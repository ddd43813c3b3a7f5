// One failure scenario as the client sees it: a steady loop against the VIP through HA-master, the
// event, the VIP on the expected node and traffic flowing through it again; then the client's outage,
// failed requests and longest request, printed and kept for the file's summary table.
import { after, before } from 'node:test';
import type { Proc } from '../../../packages/ha-agent/test/support/netns.ts';
import { waitFor } from '../../../packages/ha-agent/test/support/wait-for.ts';
import { startCapture } from './capture.ts';
import { epochNow, startClient } from './client.ts';
import type { Front, Stack } from './front-pair.ts';
import { formatSummary, type OutageSummary, summarize } from './outage.ts';
import { LAB } from './seed-configs.ts';
import { startWebNodes } from './services.ts';
import { createTopology, type Topology } from './topology.ts';

/** Call in a describe(): the seed topology with its web nodes for the whole suite, destroyed after. */
export function useSeedTopology(): {
  readonly topo: Topology;
  /** the web servers' processes (a scenario that stops one starts it again with startWebNode) */
  web: Record<'web1' | 'web2', Proc>;
} {
  let topo: Topology | null = null;
  let web: Record<'web1' | 'web2', Proc> | null = null;
  before(async () => {
    topo = createTopology();
    web = await startWebNodes(topo);
  });
  after(async () => {
    await topo?.destroy();
  });
  return {
    get topo(): Topology {
      if (!topo) throw new Error('the topology is created in before()');
      return topo;
    },
    get web() {
      if (!web) throw new Error('the web nodes start in before()');
      return web;
    },
    set web(w) {
      web = w;
    },
  };
}

export interface Measured {
  /** event → the VIP on the expected node */
  vipMovedMs: number;
  summary: OutageSummary;
  /** each failed request: when it started and ended, ms from the event, and its error */
  failures?: {
    startMs: number;
    endMs: number;
    error: string;
    /** the client's port (null: no connection), ms to the handshake's end (null: none), answer bytes */
    port?: number | null;
    connectedMs?: number | null;
    got?: number;
  }[];
}

export interface Row extends Measured {
  scenario: string;
  stack: Stack;
}

/**
 * Client loop on the VIP; waits for traffic through `from`; runs `event`; waits for the VIP on `to`
 * (alone unless `alsoOn` allows a stale copy) and traffic through `to`; returns what the client saw.
 */
export async function measure(
  topo: Topology,
  o: { from: Front; to: Front; event: () => void | Promise<void>; vip?: string; stillOnFromOk?: boolean },
): Promise<Measured> {
  const vip = o.vip ?? LAB.vip;
  const capture = await startCapture(topo, `${o.from}-${Date.now()}`);
  const client = startClient(topo, vip);
  try {
    await client.served(`traffic through ${o.from}`, (r) => r.via === topo.nodes[o.from].ipv4, 0, 20_000);
    await client.steady(25);
    const t0 = epochNow();
    await o.event();
    await waitFor(
      () => {
        const h = topo.holders(vip);
        return h.includes(o.to) && (o.stillOnFromOk || h.length === 1);
      },
      20_000,
      `the VIP on ${o.to}`,
      5,
    );
    const vipMovedMs = epochNow() - t0;
    await client.served(`traffic through ${o.to}`, (r) => r.via === topo.nodes[o.to].ipv4, t0, 20_000);
    await client.steady(25);
    const results = await client.stop();
    const failed = results.filter((r) => !r.ok);
    const failures = failed.map((r) => ({
      startMs: r.start - t0,
      endMs: r.end - t0,
      error: r.error ?? 'failed',
      port: r.port ?? null,
      connectedMs: r.connected ?? null,
      got: r.got ?? 0,
    }));
    if (capture)
      for (const text of await capture.explain(
        failed.map((r) => r.port),
        t0,
      ))
        console.log(text.replace(/^/gm, '#   '));
    return { vipMovedMs, summary: summarize(results), failures };
  } finally {
    await client.stop();
  }
}

export function describeRow(r: Row): string {
  return `${r.scenario} [${r.stack}]: VIP moved after ${Math.round(r.vipMovedMs)} ms; client: ${formatSummary(r.summary)}`;
}

/** The rows as a Markdown table (what the README's failover table is made from). */
export function table(rows: readonly Row[]): string {
  const head = '| scenario | stack | VIP moved after | client outage | failed requests | longest request |';
  const sep = '| --- | --- | ---: | ---: | ---: | ---: |';
  const lines = rows.map(
    (r) =>
      `| ${r.scenario} | ${r.stack} | ${Math.round(r.vipMovedMs)} ms | ${Math.round(r.summary.outageMs)} ms | ${r.summary.failed} of ${r.summary.requests} | ${Math.round(r.summary.longestMs)} ms |`,
  );
  return [head, sep, ...lines].join('\n');
}

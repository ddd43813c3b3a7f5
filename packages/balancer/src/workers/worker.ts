/**
 * One of `nbthread` worker processes (forked by workers/master.ts with node:cluster): it serves the
 * traffic frontends of the configuration the master validated — its own SO_REUSEPORT socket per
 * address, so the kernel spreads connections over the workers (or the master's socket, shared, with
 * `-dR`, UNIX sockets and systemd's) — and follows the master for everything else: the servers' state
 * (health checks run in the master only), runtime API commands, reload, stop. It answers the master's
 * ticks with its counters (counter-sync.ts). Signals are the master's: a worker ignores them; if the
 * master goes away it goes on accepting for ORPHAN_LISTEN_MS, then finishes what it serves
 * (ORPHAN_GRACE_MS at most) and exits.
 */
import cluster from 'node:cluster';
import { stateDump } from '../cli/state-dump.ts';
import type { Engine } from '../engine/engine.ts';
import type { EngineConfig } from '../engine/engine-config.ts';
import type { MessageSink } from '../log/messages.ts';
import { type CliLevel, runCommand } from '../runtime/commands.ts';
import { type CounterLayout, counterLayout, dumpCounters } from './counter-sync.ts';
import { type ObservedRuns, observeRelay } from './observe-relay.ts';
import { applyServerStates, type ServerSync } from './server-sync.ts';

export type ToWorker =
  | { t: 'tick'; id: number; gen: number; servers: ServerSync[] }
  | { t: 'servers'; servers: ServerSync[] }
  | { t: 'command'; line: string; level: CliLevel }
  /** a master CLI command routed to this worker (`@1 show info`): its answer comes back */
  | { t: 'cli'; id: number; line: string; level: CliLevel }
  | { t: 'reload'; gen: number }
  | { t: 'stop'; graceMs: number }
  | { t: 'pause' }
  | { t: 'resume' }
  | { t: 'dump'; signal: string };

export type FromWorker =
  | { t: 'ready' }
  | { t: 'failed'; message: string; code: string | null }
  | { t: 'counters'; id: number; gen: number; data: Float64Array; observed: ObservedRuns }
  | { t: 'reloaded'; gen: number; error: string | null }
  | { t: 'cli-reply'; id: number; out: string };

export interface WorkerHooks {
  config: EngineConfig;
  /** the configuration files again, checked (null: they have errors now; the reason was printed) */
  reloadConfig(): EngineConfig | null;
  messages: MessageSink;
  /** after the listeners are bound (privileges); an alert text stops the worker */
  afterBind(): string | null;
}

/** How long a worker whose master died finishes the exchanges it holds before it exits. */
export const ORPHAN_GRACE_MS = 3000;
/**
 * How long it first goes on accepting (every response closing its connection): the time the rest of
 * the node needs to take the traffic over — the agent's handover bridge forwarding (~0.1 s), the VIP
 * moving to the peer (~0.65 s at advert_int 1), a restarted balancer listening beside it (~0.5 s) — so
 * that no client meets a closed port meanwhile, and the listen queue it then closes is empty.
 */
export const ORPHAN_LISTEN_MS = 1000;

const IGNORED: NodeJS.Signals[] = ['SIGUSR1', 'SIGUSR2', 'SIGHUP', 'SIGTTOU', 'SIGTTIN', 'SIGQUIT', 'SIGINT'];

export async function runWorker(h: WorkerHooks): Promise<number> {
  const send = (m: FromWorker) => process.send?.(m);
  // the master decides (a terminal's ^C reaches the whole process group: the master stops us)
  for (const s of IGNORED) process.on(s, () => {});
  // HAProxy's worker ends with 143 on SIGTERM: its master reports "exited with code 143 (Terminated)"
  process.on('SIGTERM', () => process.exit(143));
  const [{ startEngine }, { reloadEngine }] = await Promise.all([
    import('../engine/engine.ts'),
    import('../engine/reload.ts'),
  ]);
  let engine: Engine;
  try {
    engine = await startEngine(h.config, h.messages, undefined, 'worker');
  } catch (err) {
    const e = err as Error & { code?: string; cause?: { code?: string } };
    send({ t: 'failed', message: e.message, code: e.cause?.code ?? e.code ?? null });
    return 1;
  }
  const refused = h.afterBind();
  if (refused !== null) {
    send({ t: 'failed', message: refused, code: null });
    await engine.stop(0);
    return 1;
  }
  // a worker forked by a reload (the master replaces chrooted workers) starts at that generation
  let gen = Number(process.env.BALANCER_GEN ?? 0);
  let layout: CounterLayout = counterLayout(engine);
  let observed = observeRelay(engine);
  let graceMs = h.config.global.hardStopAfter ?? 10_000;
  let reloading: Promise<void> = Promise.resolve();
  return new Promise<number>((resolve) => {
    // node:cluster's own handler would exit at once on an unexpected disconnect (before ours runs)
    if (cluster.worker) cluster.worker.exitedAfterDisconnect = true;
    process.on('disconnect', () => {
      // The master is gone (a crash: a stop would have come as a message or SIGTERM): nobody checks
      // the servers or answers for us any more. HAProxy's worker exits at once, cutting what it
      // serves. Ours goes on accepting for ORPHAN_LISTEN_MS, each response ending its connection —
      // the clients are answered while the agent moves the traffic (its bridge, the VIP) or a
      // restarted balancer starts, instead of finding the port closed or their connection reset in
      // a closing listen queue — then retires as after a reload: listeners closed, the exchanges in
      // flight finished, a connection with no request yet answered with `Connection: close`, all for
      // at most ORPHAN_GRACE_MS more.
      for (const f of engine.frontends) f.closeAfterResponses();
      setTimeout(() => {
        engine.retire(Math.min(graceMs, ORPHAN_GRACE_MS)).then(() => resolve(1));
      }, ORPHAN_LISTEN_MS);
    });
    process.on('message', (m: ToWorker) => {
      switch (m.t) {
        case 'tick':
          applyServerStates(engine, m.servers);
          if (m.gen === gen)
            send({ t: 'counters', id: m.id, gen, data: dumpCounters(layout), observed: observed.take() });
          return;
        case 'servers':
          applyServerStates(engine, m.servers);
          return;
        case 'cli':
          send({ t: 'cli-reply', id: m.id, out: runCommand(m.line, m.level, engine.stats) });
          return;
        case 'command':
          runCommand(m.line, m.level, engine.stats);
          layout = counterLayout(engine);
          return;
        case 'reload':
          reloading = reloading.then(async () => {
            const next = h.reloadConfig();
            if (next === null) {
              send({ t: 'reloaded', gen: m.gen, error: 'the configuration has errors now' });
              return;
            }
            try {
              const r = await reloadEngine(engine, next, h.messages, graceMs);
              engine = r.engine;
              graceMs = next.global.hardStopAfter ?? 10_000;
              gen = m.gen;
              layout = counterLayout(engine);
              observed = observeRelay(engine);
              send({ t: 'reloaded', gen, error: null });
            } catch (err) {
              send({ t: 'reloaded', gen: m.gen, error: (err as Error).message });
            }
          });
          return;
        case 'stop':
          reloading
            .then(async () => {
              await (m.graceMs > 0 ? engine.retire(m.graceMs) : engine.stop(0));
            })
            // a hard stop ends as HAProxy's worker on SIGTERM (143), a soft one with 0
            .then(() => resolve(m.graceMs > 0 ? 0 : 143));
          return;
        case 'pause':
          engine.pause();
          return;
        case 'dump':
          stateDump(engine, h.messages, `${m.signal} (worker ${process.env.BALANCER_WORKER})`);
          return;
        case 'resume':
          engine
            .resume()
            .catch((err) => h.messages.alert(`cannot resume listening: ${(err as Error).message}`));
          return;
      }
    });
    send({ t: 'ready' });
  });
}

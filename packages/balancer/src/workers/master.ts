/**
 * `nbthread N` (N > 1): this process becomes the master of N worker processes (node:cluster; each
 * worker is `balancer` again, workers/worker.ts). The master owns the signals, reload, the health API,
 * the runtime API and the proxies with a stats page; its engine (role `master`) runs every health check
 * once and is the one view of the balancer: every 250 ms, and before each runtime API command line, it
 * sends the workers a tick carrying the servers' state and gets their counters back, whose sum it
 * writes into its own counters (counter-sync.ts). Runtime API commands that change something run
 * in the master and then in every worker. A worker that exits on its own is not started again; a
 * failure stops the balancer with the worker's status (HAProxy's exit-on-failure, worker-exit.ts):
 * systemd restarts it.
 *
 * The engine returned looks like a single process's to cli.ts: stop, retire, pause and resume reach
 * the workers; reloadMaster() reloads them (each in place, listeners taken over inside the worker, so
 * no connection is refused) and then the master's own engine.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Engine } from '../engine/engine.ts';
import type { EngineConfig } from '../engine/engine-config.ts';
import { type Reloaded, reloadEngine } from '../engine/reload.ts';
import type { MessageSink } from '../log/messages.ts';
import type { CliLevel } from '../runtime/commands.ts';
import { aggregateCounters, type CounterLayout, counterLayout } from './counter-sync.ts';
import { cpusOf, pin } from './cpu-map.ts';
import { replayObserved } from './observe-relay.ts';
import { serverState, serverStates } from './server-sync.ts';
import type { FromWorker, ToWorker } from './worker.ts';
import { workerExit } from './worker-exit.ts';

/** How often the master brings the workers' counters in (and re-sends the servers' state). */
export const TICK_MS = 250;
/** A tick's answers are awaited this long (a busy worker answers late; the others' still count). */
const TICK_WAIT_MS = 1000;
const START_WAIT_MS = 30_000;

interface Child {
  worker: Worker;
  thread: number;
  /** when it was forked (ms since the epoch) */
  startedAt: number;
  /** its last counters for the current generation */
  last: Float64Array | null;
}

/** Commands that only read: not sent to the workers. */
const READS = /^(show|help|get)\b/;

export interface MasterOptions {
  /** worker processes */
  count: number;
  /** environment for the workers (the systemd sockets the master matched, …) */
  env: NodeJS.ProcessEnv;
}

export interface Master {
  engine: Engine;
  reload(config: EngineConfig, graceMs: number): Promise<Reloaded & { retired: Promise<number> }>;
  /** SIGQUIT: each worker writes its own state dump (its sessions, its connections) */
  dump(signal: string): void;
  /** the workers serving now, in their order (`@1` is the first) */
  workers(): { pid: number; relative: number; startedAt: number }[];
  /** a runtime API command answered by worker `pid` itself (the master CLI's `@1 show info`) */
  ask(pid: number, line: string, level: CliLevel): Promise<string>;
}

/** An error a worker reported at start-up, with its errno code (hand-over.ts retries on EADDRINUSE). */
class WorkerStartError extends Error {
  readonly code: string | undefined;
  constructor(message: string, code: string | null) {
    super(message);
    this.code = code ?? undefined;
  }
}

export async function startMaster(
  config: EngineConfig,
  messages: MessageSink,
  opts: MasterOptions,
): Promise<Master> {
  const { startEngine } = await import('../engine/engine.ts');
  let inner = await startEngine(config, messages, undefined, 'master');
  let layout: CounterLayout = counterLayout(inner);
  let gen = 0;
  let nextId = 1;
  /** answers to ticks sent before this id are dropped (a `clear counters` happened since) */
  let acceptFrom = 0;
  let stopping = false;
  /** the first failing worker's status (exit-on-failure): the master's own */
  let exitStatus: number | null = null;
  const children = new Map<number, Child>();
  const pending = new Map<number, { waiting: Set<number>; done: () => void }>();

  cluster.schedulingPolicy = cluster.SCHED_NONE;
  cluster.setupPrimary({ serialization: 'advanced', args: process.argv.slice(2) });

  const send = (c: Child, m: ToWorker) => {
    if (c.worker.isConnected()) c.worker.send(m);
  };
  const broadcast = (m: ToWorker) => {
    for (const c of children.values()) send(c, m);
  };

  const aggregate = () => {
    const dumps: Float64Array[] = [];
    for (const c of children.values()) if (c.last !== null) dumps.push(c.last);
    aggregateCounters(layout, dumps);
  };

  /** One tick: the servers' state out, the counters in. */
  const tick = (): Promise<void> => {
    if (children.size === 0) return Promise.resolve();
    const id = nextId++;
    const servers = serverStates(inner);
    return new Promise<void>((resolve) => {
      const waiting = new Set(children.keys());
      const done = () => {
        clearTimeout(timer);
        pending.delete(id);
        aggregate();
        resolve();
      };
      const timer = setTimeout(done, TICK_WAIT_MS);
      timer.unref();
      pending.set(id, { waiting, done });
      for (const c of children.values()) send(c, { t: 'tick', id, gen, servers });
    });
  };
  let syncQueued = false;
  const syncSoon = () => {
    if (syncQueued) return;
    syncQueued = true;
    setImmediate(() => {
      syncQueued = false;
      tick();
    });
  };

  const hook = (e: Engine) => {
    e.stats.refresh = tick;
    e.stats.ran = (line: string, level: CliLevel) => {
      if (READS.test(line)) return;
      if (/^clear\s+counters\b/.test(line)) {
        acceptFrom = nextId;
        for (const c of children.values()) c.last = null;
      }
      broadcast({ t: 'command', line, level });
      layout = counterLayout(inner);
      syncSoon();
    };
    // a change reaches the workers before this process answers whoever made it (CLI, admin form)
    e.stats.adminDone = () => broadcast({ t: 'servers', servers: serverStates(inner) });
    e.events.on((c) => {
      if (c.kind !== 'server') return;
      broadcast({ t: 'servers', servers: serverState(inner, c.backend, c.server) });
    });
  };
  hook(inner);

  const onMessage = (c: Child, m: FromWorker) => {
    if (m.t !== 'counters') return;
    if (m.gen !== gen) return;
    replayObserved(inner, m.observed);
    if (m.id < acceptFrom) return;
    c.last = m.data;
    const p = pending.get(m.id);
    if (p === undefined) return;
    p.waiting.delete(c.worker.id);
    if (p.waiting.size === 0) p.done();
  };

  // start the workers; each says ready (its listeners bound) or failed
  const starting = [...Array(opts.count).keys()].map(
    (i) =>
      new Promise<void>((resolve, reject) => {
        const worker = cluster.fork({ ...opts.env, BALANCER_WORKER: String(i + 1) });
        const c: Child = { worker, thread: i + 1, startedAt: Date.now(), last: null };
        children.set(worker.id, c);
        messages.notice(`New worker (${worker.process.pid}) forked`);
        const cpus = cpusOf(config.global.cpuMap ?? [], i + 1, opts.count);
        if (cpus !== null && worker.process.pid !== undefined) {
          const why = pin(worker.process.pid, cpus);
          if (why !== null) messages.warning(`cpu-map: worker ${i + 1} is not pinned: ${why}.`);
        }
        let started = false;
        worker.on('message', (m: FromWorker) => {
          if (m.t === 'ready') {
            started = true;
            resolve();
          } else if (m.t === 'failed') reject(new WorkerStartError(m.message, m.code));
          else onMessage(c, m);
        });
        worker.on('exit', (code, signal) => {
          children.delete(worker.id);
          for (const [id, p] of pending) {
            p.waiting.delete(worker.id);
            if (p.waiting.size === 0) pending.get(id)?.done();
          }
          if (!started) {
            reject(new WorkerStartError(`worker ${i + 1} exited during start-up (${signal ?? code})`, null));
            return;
          }
          const x = workerExit(code, signal as NodeJS.Signals | null);
          if (stopping) {
            // the master stops them (SIGTERM: 143, SIGUSR1: 0), and says so as HAProxy's does
            const text = `Current worker (${worker.process.pid}) exited with code ${x.status} (${x.cause})`;
            if (x.status === 0) messages.warning(text);
            else messages.alert(text);
            if (children.size === 0) messages.warning('All workers exited. Exiting... (0)');
            return;
          }
          messages.alert(`Current worker (${worker.process.pid}) exited with code ${x.status} (${x.cause})`);
          if (x.failure && exitStatus === null) {
            exitStatus = x.status;
            messages.alert('exit-on-failure: killing every processes with SIGTERM');
            for (const o of children.values()) o.worker.process.kill('SIGTERM');
          }
          if (children.size > 0) return;
          messages.warning(`All workers exited. Exiting... (${exitStatus ?? 0})`);
          inner.stop(0).finally(() => process.exit(exitStatus ?? 0));
        });
      }),
  );
  try {
    await withTimeout(Promise.all(starting), START_WAIT_MS, 'workers did not start in time');
  } catch (err) {
    stopping = true;
    await killAll(children);
    await inner.stop(0);
    throw err;
  }
  const markListening = (on: boolean) => {
    const mine = new Set(inner.frontends.filter((f) => f.statsPage !== null).map((f) => f.spec.name));
    for (const l of inner.listeners) if (!mine.has(l.proxy)) l.listening = on;
  };
  messages.notice('Loading success.');
  markListening(true);
  const ticker = setInterval(tick, TICK_MS);
  ticker.unref();
  await tick();

  const stopWorkers = async (graceMs: number) => {
    if (!stopping) messages.warning('Exiting Master process...');
    stopping = true;
    clearInterval(ticker);
    const exited = [...children.values()].map(
      (c) => new Promise<void>((r) => (c.worker.isDead() ? r() : c.worker.once('exit', () => r()))),
    );
    broadcast({ t: 'stop', graceMs });
    markListening(false);
    const timer = setTimeout(() => {
      for (const c of children.values()) c.worker.process.kill('SIGKILL');
    }, graceMs + 2000);
    await Promise.all(exited);
    clearTimeout(timer);
  };

  const wrap = (e: Engine): Engine => ({
    ...e,
    stop: (graceMs) => stopWorkers(graceMs).then(() => e.stop(graceMs)),
    retire: (graceMs) => stopWorkers(graceMs).then(() => e.retire(graceMs)),
    pause() {
      broadcast({ t: 'pause' });
      e.pause();
      markListening(false);
    },
    async resume() {
      broadcast({ t: 'resume' });
      await e.resume();
      markListening(true);
    },
  });

  const master: Master = {
    engine: wrap(inner),
    dump: (signal) => broadcast({ t: 'dump', signal }),
    workers: () =>
      [...children.values()]
        .filter((c) => c.worker.process.pid !== undefined)
        .sort((a, b) => a.thread - b.thread)
        .map((c) => ({ pid: c.worker.process.pid!, relative: c.thread, startedAt: c.startedAt })),
    ask(pid, line, level) {
      const c = [...children.values()].find((x) => x.worker.process.pid === pid);
      if (c === undefined) return Promise.resolve('');
      const id = nextId++;
      return withTimeout(
        new Promise<string>((resolve) => {
          const on = (m: FromWorker) => {
            if (m.t !== 'cli-reply' || m.id !== id) return;
            c.worker.off('message', on);
            resolve(m.out);
          };
          c.worker.on('message', on);
          send(c, { t: 'cli', id, line, level });
        }),
        TICK_WAIT_MS * 5,
        `worker ${c.thread} did not answer`,
      ).catch((err) => `${(err as Error).message}\n\n`);
    },
    async reload(next, graceMs) {
      const want = gen + 1;
      const answers = [...children.values()].map(
        (c) =>
          new Promise<string | null>((resolve) => {
            const on = (m: FromWorker) => {
              if (m.t !== 'reloaded' || m.gen !== want) return;
              c.worker.off('message', on);
              resolve(m.error === null ? null : `worker ${c.thread}: ${m.error}`);
            };
            c.worker.on('message', on);
            send(c, { t: 'reload', gen: want });
          }),
      );
      const errors = (
        await withTimeout(Promise.all(answers), START_WAIT_MS, 'workers did not reload in time')
      ).filter((e) => e !== null);
      if (errors.length === children.size && errors.length > 0) throw new Error(errors.join('; '));
      for (const e of errors) messages.alert(`${e}; that worker keeps the previous configuration.`);
      const before = inner.listeners.map((l) => l.address);
      const r = await reloadEngine(inner, next, messages, graceMs);
      inner = r.engine;
      // (the workers' listeners are listed here, not taken over: compare the addresses)
      const after = inner.listeners.map((l) => l.address);
      r.kept = after.filter((a) => before.includes(a));
      r.added = after.filter((a) => !before.includes(a));
      r.removed = before.filter((a) => !after.includes(a));
      gen = want;
      layout = counterLayout(inner);
      for (const c of children.values()) c.last = null;
      hook(inner);
      markListening(true);
      master.engine = wrap(inner);
      await tick();
      return { ...r, engine: master.engine };
    },
  };
  return master;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(what)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

async function killAll(children: Map<number, Child>): Promise<void> {
  await Promise.all(
    [...children.values()].map(
      (c) =>
        new Promise<void>((r) => {
          if (c.worker.isDead()) return r();
          c.worker.once('exit', () => r());
          c.worker.process.kill('SIGKILL');
        }),
    ),
  );
  children.clear();
}

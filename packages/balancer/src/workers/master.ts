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
import { editsToReplay, isEdit, type LoggedEdit, logEdit } from './edit-replay.ts';
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
  /** replaced by a reload's new workers: finishing its connections, its exit expected */
  former: boolean;
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
  /** workers a reload replaced, still finishing their connections */
  const formers = new Set<Child>();
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

  /** runtime API edits a reload's new workers must be given again (edit-replay.ts) */
  let edits: LoggedEdit[] = [];
  const hook = (e: Engine) => {
    e.stats.refresh = tick;
    e.stats.ran = (line: string, level: CliLevel) => {
      if (READS.test(line)) return;
      if (isEdit(line)) edits = logEdit(edits, { line, level });
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

  /**
   * Forks worker `i` of `count` for `cfg` (its cpu-map) at generation `atGen`; resolves once it says
   * ready (its listeners bound), rejects if it fails or exits first.
   */
  const fork = (i: number, count: number, cfg: EngineConfig, atGen: number) =>
    new Promise<Child>((resolve, reject) => {
      const worker = cluster.fork({
        ...opts.env,
        BALANCER_WORKER: String(i + 1),
        BALANCER_GEN: String(atGen),
      });
      const c: Child = { worker, thread: i + 1, startedAt: Date.now(), last: null, former: false };
      children.set(worker.id, c);
      messages.notice(`New worker (${worker.process.pid}) forked`);
      const cpus = cpusOf(cfg.global.cpuMap ?? [], i + 1, count);
      if (cpus !== null && worker.process.pid !== undefined) {
        const why = pin(worker.process.pid, cpus);
        if (why !== null) messages.warning(`cpu-map: worker ${i + 1} is not pinned: ${why}.`);
      }
      let started = false;
      // a message to a worker that is dying fails (EPIPE) before its exit is seen: its 'exit' decides
      worker.on('error', () => {});
      worker.on('message', (m: FromWorker) => {
        if (m.t === 'ready') {
          started = true;
          // the servers' state as the master knows it, before the first tick
          send(c, { t: 'servers', servers: serverStates(inner) });
          resolve(c);
        } else if (m.t === 'failed') reject(new WorkerStartError(m.message, m.code));
        else onMessage(c, m);
      });
      worker.on('exit', (code, signal) => {
        if (children.get(worker.id) === c) children.delete(worker.id);
        for (const [id, p] of pending) {
          p.waiting.delete(worker.id);
          if (p.waiting.size === 0) pending.get(id)?.done();
        }
        if (!started) {
          reject(new WorkerStartError(`worker ${i + 1} exited during start-up (${signal ?? code})`, null));
          return;
        }
        const x = workerExit(code, signal as NodeJS.Signals | null);
        if (c.former) {
          // a reload replaced it: HAProxy's master says so this way
          const text = `Former worker (${worker.process.pid}) exited with code ${x.status} (${x.cause})`;
          if (x.status === 0) messages.warning(text);
          else messages.alert(text);
          return;
        }
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
    });

  // start the workers; each says ready (its listeners bound) or failed
  const starting = [...Array(opts.count).keys()].map((i) => fork(i, opts.count, config, 0));
  /** the configuration the workers serving now started with or were reloaded to */
  let running = config;
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
    // workers a reload replaced are finishing theirs: a stop shortens that too
    for (const c of formers) send(c, { t: 'stop', graceMs });
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

  /**
   * The master's own engine reloaded to `next` at generation `want` (its listener lists compare
   * addresses: the workers' listeners are listed here, not taken over), and the runtime edits it kept.
   */
  const reloadOwn = async (
    next: EngineConfig,
    graceMs: number,
    want: number,
  ): Promise<Reloaded & { retired: Promise<number> }> => {
    const before = inner.listeners.map((l) => l.address);
    const r = await reloadEngine(inner, next, messages, graceMs);
    inner = r.engine;
    const after = inner.listeners.map((l) => l.address);
    r.kept = after.filter((a) => before.includes(a));
    r.added = after.filter((a) => !before.includes(a));
    r.removed = before.filter((a) => !after.includes(a));
    gen = want;
    running = next;
    edits = editsToReplay(inner, edits);
    return r;
  };

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
      // a chrooted worker cannot read the files again: new workers replace it (HAProxy's way)
      if (running.global.chroot || next.global.chroot) return replaceWorkers(next, graceMs);
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
      const r = await reloadOwn(next, graceMs, want);
      layout = counterLayout(inner);
      for (const c of children.values()) c.last = null;
      hook(inner);
      markListening(true);
      master.engine = wrap(inner);
      await tick();
      return { ...r, engine: master.engine };
    },
  };

  /**
   * Reload by new workers (the running ones, or the new configuration, are chrooted): fork `nbthread`
   * workers for `next` — each reads the files, binds (joining the master's shared listening sockets,
   * cli.ts), enters the chroot and says ready — then reload the master's own engine, and let the former
   * workers finish their connections (soft stop, as HAProxy's old workers after a reload). If a new
   * worker fails, the others are killed and the running ones keep serving. Counters start again from
   * zero with the new workers, as HAProxy's do after a reload; the servers' state is the master's and
   * reaches them with the first tick.
   */
  const replaceWorkers = async (
    next: EngineConfig,
    graceMs: number,
  ): Promise<Reloaded & { retired: Promise<number> }> => {
    const want = gen + 1;
    const replaced = [...children.values()];
    const count = next.global.nbthread ?? opts.count;
    const forks = [...Array(count).keys()].map((i) => fork(i, count, next, want));
    try {
      await withTimeout(Promise.all(forks), START_WAIT_MS, 'new workers did not start in time');
    } catch (err) {
      const failed = [...children.values()].filter((c) => !replaced.includes(c));
      for (const c of failed) children.delete(c.worker.id);
      await killAll(new Map(failed.map((c) => [c.worker.id, c])));
      throw err;
    }
    const r = await reloadOwn(next, graceMs, want);
    // what the runtime API changed and this engine kept, given to the new workers in its order
    const fresh = [...children.values()].filter((c) => !replaced.includes(c));
    for (const c of fresh) {
      for (const e of edits) send(c, { t: 'command', line: e.line, level: e.level });
      send(c, { t: 'servers', servers: serverStates(inner) });
    }
    layout = counterLayout(inner);
    for (const c of replaced) {
      c.former = true;
      children.delete(c.worker.id);
      formers.add(c);
      c.worker.once('exit', () => formers.delete(c));
    }
    const exited = replaced.map(
      (c) => new Promise<void>((ok) => (c.worker.isDead() ? ok() : c.worker.once('exit', () => ok()))),
    );
    for (const c of replaced) send(c, { t: 'stop', graceMs });
    const killer = setTimeout(() => {
      for (const c of replaced) if (!c.worker.isDead()) c.worker.process.kill('SIGKILL');
    }, graceMs + 2000);
    killer.unref();
    hook(inner);
    markListening(true);
    master.engine = wrap(inner);
    await tick();
    const retired = Promise.all([r.retired, ...exited]).then(([cut]) => {
      clearTimeout(killer);
      return cut;
    });
    return { ...r, retired, engine: master.engine };
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

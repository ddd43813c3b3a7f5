/**
 * A chrooted balancer's reload starts new workers (master.ts replaceWorkers), which know only what the
 * files say. What the runtime API changed beyond the servers' state (which server-sync.ts sends) —
 * servers added or deleted, `set server … addr`, `set maxconn server|frontend|global` — the master keeps
 * across the reload by carry-over (engine/carry-over.ts: each unless the new file changed what it
 * replaced). The master logs those command lines as they run; for the new workers it replays, in order,
 * the ones whose effect its own reloaded engine still has, so every process ends up with the same view.
 */
import type { Engine } from '../engine/engine.ts';
import type { CliLevel } from '../runtime/commands.ts';
import { frontendMaxconnSet, isDynamic, serverEdits } from '../runtime/runtime-edits.ts';

export interface LoggedEdit {
  line: string;
  level: CliLevel;
}

const EDIT =
  /^\s*(add\s+server|del\s+server|set\s+server\s+\S+\s+addr|set\s+maxconn\s+(server|frontend|global))\s/;

/** Whether a runtime API command line is one a new worker must be given again. */
export function isEdit(line: string): boolean {
  return EDIT.test(`${line} `);
}

function server(engine: Engine, ref: string | undefined) {
  const [b, s] = (ref ?? '').split('/');
  const be = engine.backends.find((x) => x.spec.name === b);
  return { be, srv: be?.servers.find((x) => x.spec.name === s), name: s };
}

/** Whether `engine` (the master's, after its reload) still has the effect of `line`. */
export function stillApplies(engine: Engine, line: string): boolean {
  const w = line.trim().split(/\s+/);
  if (w[0] === 'add' && w[1] === 'server') {
    const { be, srv } = server(engine, w[2]);
    return be !== undefined && srv !== undefined && isDynamic(be, srv);
  }
  if (w[0] === 'del' && w[1] === 'server') {
    const { be, srv } = server(engine, w[2]);
    return be !== undefined && srv === undefined;
  }
  if (w[0] === 'set' && w[1] === 'server' && w[3] === 'addr') {
    const { srv } = server(engine, w[2]);
    const port = w[4] === undefined ? undefined : w[5] === undefined ? undefined : Number(w[5]);
    return srv !== undefined && srv.spec.host === w[4] && (port === undefined || srv.spec.port === port);
  }
  if (w[0] === 'set' && w[1] === 'maxconn') {
    if (w[2] === 'server') {
      const { srv } = server(engine, w[3]);
      return srv !== undefined && serverEdits(srv)?.maxconn?.value === Number(w[4]);
    }
    if (w[2] === 'frontend') {
      const fe = engine.frontends.find((f) => f.spec.name === w[3]);
      return fe !== undefined && frontendMaxconnSet(fe) === Number(w[4]);
    }
    // (replayed in order while a runtime value is in effect: the last one wins, as it did here)
    if (w[2] === 'global') return engine.stats.maxconn !== engine.stats.hardMaxconn;
  }
  return false;
}

/** The logged edits to give new workers: those the reloaded engine still has, in their order. */
export function editsToReplay(engine: Engine, log: readonly LoggedEdit[]): LoggedEdit[] {
  return log.filter((e) => stillApplies(engine, e.line));
}

/**
 * Appends an edit to the log; a `set` replaces the earlier ones of the same target (only the last
 * value counts), so the log stays as long as the number of things edited, not of edits.
 */
export function logEdit(log: LoggedEdit[], edit: LoggedEdit): LoggedEdit[] {
  const key = targetOf(edit.line);
  const kept = key === null ? log : log.filter((e) => targetOf(e.line) !== key);
  kept.push(edit);
  return kept;
}

/** `set server B/S addr …` → `addr B/S`; `set maxconn server B/S N` → `maxconn server B/S`; null for add/del. */
function targetOf(line: string): string | null {
  const w = line.trim().split(/\s+/);
  if (w[0] !== 'set') return null;
  if (w[1] === 'server') return `addr ${w[2]}`;
  if (w[2] === 'global') return 'maxconn global';
  return `maxconn ${w[2]} ${w[3]}`;
}

import type { MessageSink } from '../log/messages.ts';
import { carryOver } from './carry-over.ts';
import { type Engine, startEngine } from './engine.ts';
import type { EngineConfig } from './engine-config.ts';

export interface Reloaded {
  engine: Engine;
  /** listener addresses taken over, bound fresh, and closed (dropped by the new configuration) */
  kept: string[];
  added: string[];
  removed: string[];
}

/**
 * Applies a new (already validated) configuration in this process: a new engine is built, takes over
 * the running one's listening sockets where the addresses match (engine/listener-handover.ts), binds
 * the new ones, and receives the state that survives a reload (carry-over.ts). The running engine is
 * then retired: it stops accepting, finishes its in-flight requests and keep-alive connections within
 * graceMs, and closes the addresses the new configuration dropped; `retired` resolves with the number of
 * its connections the grace period cut. If the new engine cannot start (a
 * bind fails), it rejects and the running engine goes on untouched.
 */
export async function reloadEngine(
  running: Engine,
  config: EngineConfig,
  messages: MessageSink,
  graceMs: number,
): Promise<Reloaded & { retired: Promise<number> }> {
  const before = running.listeners.map((l) => l.address);
  // The runtime API's sockets are not taken over: the running engine closes them first (closing a
  // UNIX socket unlinks its path, which would remove the new engine's; a TCP one would be in use), and
  // opens them again if the new engine cannot start.
  running.stats.stop();
  let engine: Engine;
  try {
    engine = await startEngine(config, messages, running);
  } catch (err) {
    await running.stats.reopen().catch((e) => messages.alert((e as Error).message));
    throw err;
  }
  carryOver(running, engine);
  const removed = running.listeners.map((l) => l.address);
  const retired = running.retire(graceMs);
  const after = new Set(engine.listeners.map((l) => l.address));
  const kept = before.filter((a) => after.has(a) && !removed.includes(a));
  const added = [...after].filter((a) => !kept.includes(a));
  return { engine, kept, added, removed, retired };
}

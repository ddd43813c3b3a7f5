/**
 * SIGQUIT: what HAProxy's pool dump is for (seeing where memory and connections are), for this
 * process: memory, open sessions per frontend, listeners, and per-server connections. Written as
 * `[NOTICE]` lines; the process carries on.
 */
import type { Engine } from '../engine/engine.ts';
import type { MessageSink } from '../log/messages.ts';

export function stateDump(engine: Engine, messages: MessageSink, signal: string): void {
  const m = process.memoryUsage();
  const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;
  messages.notice(
    `${signal} received: state dump (the process continues). Memory: rss ${mb(m.rss)}, heap ${mb(m.heapUsed)}/${mb(m.heapTotal)}, external ${mb(m.external)}, array buffers ${mb(m.arrayBuffers)}; uptime ${process.uptime().toFixed(1)} s.`,
  );
  for (const { proxy, sessions } of engine.sessionCounts())
    messages.notice(`  frontend ${proxy}: ${sessions} sessions`);
  for (const l of engine.listeners)
    messages.notice(`  listener ${l.proxy} ${l.address}: ${l.listening ? 'listening' : 'paused'}`);
  for (const be of engine.backends)
    for (const s of be.servers)
      messages.notice(
        `  server ${be.spec.name}/${s.spec.name}: ${s.up ? 'UP' : 'DOWN'}, ${s.conns} connections, ${s.idle.length} idle`,
      );
}

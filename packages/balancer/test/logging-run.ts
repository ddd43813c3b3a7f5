/**
 * Runs the access-log cases (logging-cases.ts) against HAProxy or the balancer: one proxy process,
 * one upstream, one UDP syslog listener; returns every case's lines, masked.
 */
import { CASES, loggingConfig, maskLine, type Ports, upstreamHandler } from './logging-cases.ts';
import { freePorts } from './support/ports.ts';
import { type ProxyKind, startProxy } from './support/proc.ts';
import { startRawServer } from './support/raw-server.ts';
import { startSyslogListener } from './support/syslog-listener.ts';

export interface LogRun {
  /** the health-check lines sent to the log at start (the DOWN server of backend `down`) */
  health: string[];
  cases: Record<string, { what: string; lines: string[] }>;
}

/** Masks what varies in health lines too (check durations). */
const maskHealth = (l: string) => maskLine(l).replace(/check duration: \d+ms/, 'check duration: Nms');

export async function runLogging(kind: ProxyKind, only?: Set<string>): Promise<LogRun> {
  const log = await startSyslogListener();
  const up = await startRawServer(upstreamHandler);
  const [fe, feDown, feRefused, feNull, tcp, closed] = await freePorts(6);
  const p: Ports = { syslog: log.port, fe, feDown, feRefused, feNull, tcp, up: up.port, closed };
  // (fe_null is not probed: a probe is a null connection it would log)
  const proxy = await startProxy(kind, loggingConfig(p), [fe, feDown, feRefused, tcp]);
  const out: LogRun = { health: [], cases: {} };
  try {
    // the checked server of `down` goes DOWN: HAProxy logs it and that the backend has no server left
    await log.after(0, 2, 5000);
    out.health = log.lines.filter((l) => !l.includes(' [')).map(maskHealth);
    for (const c of CASES) {
      if (only && !only.has(c.id)) continue;
      const from = log.lines.length;
      const n = await c.run(p, log);
      await log.after(from, n, 8000);
      // anything more than expected would show up here (e.g. a line dontlognull must hide)
      await new Promise((r) => setTimeout(r, 200));
      const lines = log.lines.slice(from).map(maskLine);
      out.cases[c.id] = {
        what: c.what,
        lines: c.maskBytes ? lines.map((l) => l.replace(/( \d{3}) \d+ /, '$1 B ')) : lines,
      };
    }
  } finally {
    await proxy.stop();
    await up.close();
    await log.close();
  }
  return out;
}

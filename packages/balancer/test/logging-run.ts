/**
 * Runs the access-log cases (logging-cases.ts) against HAProxy or the balancer: one proxy process,
 * one upstream, one UDP syslog listener; returns every case's lines, masked.
 */
import {
  CASES,
  formatsConfig,
  loggingConfig,
  maskCustom,
  maskFormatted,
  maskLine,
  type Ports,
  upstreamHandler,
} from './logging-cases.ts';
import { freePorts } from './support/ports.ts';
import { type ProxyKind, startProxy } from './support/proc.ts';
import { openClient } from './support/raw-client.ts';
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
  const [fe, feDown, feRefused, feNull, tcp, feAsap, tcpAsap, closed, feCustom, tcpCustom] =
    await freePorts(10);
  const p: Ports = {
    syslog: log.port,
    fe,
    feDown,
    feRefused,
    feNull,
    tcp,
    feAsap,
    tcpAsap,
    feCustom,
    tcpCustom,
    up: up.port,
    closed,
  };
  // (fe_null and tcp_asap are not probed: a probe is a null connection fe_null would log, and tcp_asap
  // logs at the server connection, even for a probe)
  const proxy = await startProxy(kind, loggingConfig(p), [fe, feDown, feRefused, tcp, feAsap, feCustom]);
  const out: LogRun = { health: [], cases: {} };
  try {
    // the checked server of `down` goes DOWN: HAProxy logs it and that the backend has no server left
    await log.after(0, 2, 5000);
    out.health = log.lines.filter((l) => !l.includes(' [')).map(maskHealth);
    // the start-up probes' connections (startProxy connects to each port) must be closed on the
    // proxy's side before the first case: %ac counts every connection of the process (seen once: the
    // balancer's first line said 2 where haproxy's said 1)
    await new Promise((r) => setTimeout(r, 200));
    for (const c of CASES) {
      if (only && !only.has(c.id)) continue;
      const from = log.lines.length;
      const n = await c.run(p, log);
      await log.after(from, n, 8000);
      // anything more than expected would show up here (e.g. a line dontlognull must hide)
      await new Promise((r) => setTimeout(r, 200));
      const custom = c.id.startsWith('custom-');
      const lines = log.lines.slice(from).map(custom ? maskCustom : maskLine);
      out.cases[c.id] = {
        what: c.what,
        lines: !c.maskBytes
          ? lines
          : custom
            ? lines.map((l) => l.replace(/ B=\d+ /, ' B=B '))
            : lines.map((l) => l.replace(/( \d{3}) \d+ /, '$1 B ')),
      };
    }
  } finally {
    await proxy.stop();
    await up.close();
    await log.close();
  }
  return out;
}

export interface FormatsRun {
  /** every datagram but the `len 80` one, masked, sorted */
  lines: string[];
  /** the `len 80` target's datagrams: their length and last character */
  truncated: { length: number; last: string }[];
  /** what `log stdout format raw` printed, masked */
  stdout: string[];
}

/** Two requests to an httplog frontend, one to a CLF one, every target kind of formatsConfig. */
export async function runFormats(kind: ProxyKind): Promise<FormatsRun> {
  const log = await startSyslogListener();
  const up = await startRawServer(upstreamHandler);
  const [fe, feClf] = await freePorts(2);
  const proxy = await startProxy(kind, formatsConfig(log.port, fe, feClf, up.port), [fe, feClf]);
  try {
    for (const [port, path] of [
      [fe, '/one'],
      [fe, '/two'],
      [feClf, '/clf'],
    ] as const) {
      const from = log.lines.length;
      const c = openClient(port);
      c.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      await c.until((t) => t.includes('hello'), 4000);
      c.sock.destroy();
      // 11 targets take an info line (sample 1:2 takes every other one; `notice` none)
      await log.after(from, path === '/two' ? 10 : 11, 5000);
    }
    await new Promise((r) => setTimeout(r, 200));
    const isTrunc = (l: string) => l.startsWith('<174>'); // local5 (len 80)
    return {
      lines: log.lines
        .filter((l) => !isTrunc(l))
        .map(maskFormatted)
        .sort(),
      truncated: log.lines.filter(isTrunc).map((l) => ({ length: l.length, last: l.slice(-1) })),
      stdout: proxy
        .output()
        .split('\n')
        .filter((l) => l.includes('"GET /'))
        .map((l) => maskFormatted(`${l}\n`)),
    };
  } finally {
    await proxy.stop();
    await up.close();
    await log.close();
  }
}

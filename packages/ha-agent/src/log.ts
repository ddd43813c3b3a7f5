// The agent's logger: pino, to stderr, synchronously (the lines around a SIGTERM or a crash must not be
// lost in a buffer). Two formats:
// - text (default), in keepalived's spirit: `(VI_1) Entering MASTER STATE reason="…"`. Under systemd
//   (stderr is the journal stream) each line starts with its syslog priority (`<6>`) and carries no
//   timestamp — journald adds both; elsewhere (a terminal, a file) a keepalived-style timestamp leads.
// - json (`--log-format=json`): one pino JSON object per line, for log shippers.
import { fstatSync, writeSync } from 'node:fs';
import pino, { type Logger } from 'pino';
import { formatTextLine } from './log-text.ts';

export type { Logger };

export type LogFormat = 'text' | 'json';
export const LOG_FORMATS: readonly LogFormat[] = ['text', 'json'];

export interface LogOptions {
  /** `-D`/`--log-detail`: the debug level */
  detail?: boolean;
  /** `-l`/`--log-console`: keepalived's "log to the console"; stderr is always where we log */
  console?: boolean;
  level?: string;
  /** default text */
  format?: LogFormat;
  /** where the lines go (default 2, stderr) */
  fd?: number;
}

/** systemd connects stderr to the journal and says so in JOURNAL_STREAM=DEV:INODE (systemd.exec(5)). */
export function isJournalStream(fd: number, env: NodeJS.ProcessEnv = process.env): boolean {
  const m = /^(\d+):(\d+)$/.exec(env.JOURNAL_STREAM ?? '');
  if (!m) return false;
  try {
    const st = fstatSync(fd, { bigint: true });
    return st.dev === BigInt(m[1]) && st.ino === BigInt(m[2]);
  } catch {
    return false;
  }
}

export function createLogger(opts: LogOptions = {}): Logger {
  const level = opts.level ?? (opts.detail ? 'debug' : 'info');
  const fd = opts.fd ?? 2;
  const base = { name: 'ha-agent', level, base: { pid: process.pid } };
  if ((opts.format ?? 'text') === 'json') return pino(base, pino.destination({ fd, sync: true }));
  const journal = isJournalStream(fd);
  // pino hands every line to write() as JSON text; the text form is made from it, one line at a time.
  const stream = {
    write(json: string): void {
      writeSync(fd, `${formatTextLine(JSON.parse(json), { journal })}\n`);
    },
  };
  return pino(base, stream);
}

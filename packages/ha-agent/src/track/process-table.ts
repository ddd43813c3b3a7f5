// The processes of this host, read from /proc at an interval while something follows them — one scan
// for every vrrp_track_process. keepalived reads /proc once at start and then follows the kernel's proc
// connector (netlink); that connector only works in the initial network namespace (keepalived 2.2.7 in
// a namespace logs "Failed to set/clear process event listen - errno 111" and then sees no change at
// all), so the agent polls: a change is seen within `intervalMs` (default 200 ms), at the cost of one
// read of /proc/PID/stat per process per scan (≈ 1.3 ms for 70 processes here), and /proc/PID/cmdline
// only for the processes a full_command tracker could match.
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** /proc/PID/comm (≤ 15 characters), as the second field of /proc/PID/stat */
  comm: string;
  /** /proc/PID/cmdline split on NUL; read only when some subscriber asks for command lines */
  cmdline: string[] | null;
}

/** A scan: every live process (zombies left out, as keepalived leaves them out). */
export type ProcessSnapshot = ReadonlyMap<number, ProcessInfo>;

export interface ProcessSubscriber {
  /** read /proc/PID/cmdline too */
  readonly needsCmdline: boolean;
  onScan(snapshot: ProcessSnapshot): void;
}

/** Parses /proc/PID/stat: `PID (COMM) STATE PPID …` — COMM may itself hold spaces and parentheses. */
export function parseProcStat(text: string): { comm: string; state: string; ppid: number } | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const rest = text.slice(close + 2).split(' ');
  return { comm: text.slice(open + 1, close), state: rest[0], ppid: Number(rest[1]) };
}

export function parseCmdline(buf: Buffer): string[] {
  const parts = buf.toString('utf8').split('\0');
  if (parts.at(-1) === '') parts.pop();
  return parts;
}

/** Reads /proc (or `root`) once. */
export function scanProcesses(withCmdline: boolean, root = '/proc'): Map<number, ProcessInfo> {
  const out = new Map<number, ProcessInfo>();
  let entries: string[];
  try {
    entries = readdirSync(root);
  } catch {
    return out;
  }
  for (const name of entries) {
    const c = name.charCodeAt(0);
    if (c < 49 || c > 57) continue; // a pid starts with 1-9
    let stat: ReturnType<typeof parseProcStat>;
    try {
      stat = parseProcStat(readFileSync(`${root}/${name}/stat`, 'utf8'));
    } catch {
      continue; // gone between readdir and read
    }
    if (stat === null || stat.state === 'Z') continue;
    let cmdline: string[] | null = null;
    if (withCmdline) {
      try {
        cmdline = parseCmdline(readFileSync(`${root}/${name}/cmdline`));
      } catch {
        continue;
      }
    }
    out.set(Number(name), { pid: Number(name), ppid: stat.ppid, comm: stat.comm, cmdline });
  }
  return out;
}

export class ProcessTable {
  readonly intervalMs: number;
  readonly #root: string;
  readonly #subscribers = new Set<ProcessSubscriber>();
  #timer: NodeJS.Timeout | null = null;

  constructor(opts: { intervalMs?: number; root?: string } = {}) {
    this.intervalMs = opts.intervalMs ?? 200;
    this.#root = opts.root ?? '/proc';
  }

  /** Follows the processes; the subscriber gets a scan now (synchronously) and one every interval. */
  subscribe(s: ProcessSubscriber): void {
    this.#subscribers.add(s);
    s.onScan(this.#scan());
    this.#timer ??= setInterval(() => this.#tick(), this.intervalMs);
  }

  unsubscribe(s: ProcessSubscriber): void {
    this.#subscribers.delete(s);
    if (this.#subscribers.size === 0 && this.#timer) {
      clearInterval(this.#timer);
      this.#timer = null;
    }
  }

  get subscribers(): number {
    return this.#subscribers.size;
  }

  #scan(): ProcessSnapshot {
    const withCmdline = [...this.#subscribers].some((s) => s.needsCmdline);
    return scanProcesses(withCmdline, this.#root);
  }

  #tick(): void {
    const snap = this.#scan();
    for (const s of [...this.#subscribers]) s.onScan(snap);
  }
}

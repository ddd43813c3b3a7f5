/**
 * The master CLI (`-S <bind>[,<opt>,<value>…]`, master-worker mode only), with HAProxy 2.6's replies
 * (recorded in test/master-cli-expected.json): its own commands — `show proc`, `reload`, `show
 * version`, `show cli level`, `operator`/`user`, `help`, `prompt`, `quit` — and `@<n>` / `@!<pid>` /
 * `@master` prefixes that send one command to a worker (by its relative number, 1 for the first) or
 * to the master. A worker's reads (`show …`, `get …`, `help`) are answered by that worker; anything
 * that changes state runs where every change runs (the master, which passes it to all workers, as
 * the one worker of HAProxy would apply it to the whole process).
 */
import type net from 'node:net';
import type { MessageSink } from '../log/messages.ts';
import type { StatsSocketSpec } from '../stats/stats-config.ts';
import { type CliServer, listenCli, splitCommands } from './cli-server.ts';
import type { CliLevel } from './commands.ts';

export interface MasterProc {
  pid: number;
  /** 1, 2, … for workers (`@1`) */
  relative: number;
  /** ms since the epoch */
  startedAt: number;
}

export interface MasterCliHooks {
  version: string;
  /** the master's pid and start; the workers serving now */
  master(): { pid: number; startedAt: number; reloads: number; failed: number };
  workers(): MasterProc[];
  /** a command for worker `pid`, answered by it */
  ask(pid: number, line: string, level: CliLevel): Promise<string>;
  /** a command run as the runtime API runs it (the master's view, applied to every worker) */
  runEverywhere(line: string, level: CliLevel): Promise<string>;
  reload(): void;
}

/** `-S` argument: `path` or `[ipv4@]host:port`, then `,name,value` pairs (mode, uid, gid, user, group, level). */
export function parseMasterCliArg(arg: string): StatsSocketSpec {
  const [addr, ...opts] = arg.split(',');
  const spec: StatsSocketSpec = {
    address: { kind: 'unix', path: addr.replace(/^unix@/, '') },
    mode: null,
    uid: null,
    gid: null,
    level: 'admin',
    file: '-S',
    line: 0,
  };
  const inet = /^(?:ipv4@)?([\d.]*):(\d+)$/.exec(addr);
  if (inet !== null) spec.address = { kind: 'inet', host: inet[1] || '0.0.0.0', port: Number(inet[2]) };
  for (let i = 0; i < opts.length; i += 2) {
    const [name, value] = [opts[i], opts[i + 1]];
    if (value === undefined) throw new Error(`-S ${arg}: '${name}' expects a value`);
    if (name === 'mode') spec.mode = Number.parseInt(value, 8);
    else if (name === 'uid' || name === 'user') spec.uid = /^\d+$/.test(value) ? Number(value) : value;
    else if (name === 'gid' || name === 'group') spec.gid = /^\d+$/.test(value) ? Number(value) : value;
    else if (name === 'level' && (value === 'user' || value === 'operator' || value === 'admin'))
      spec.level = value;
    else throw new Error(`-S ${arg}: unknown option '${name} ${value}'`);
  }
  return spec;
}

/** HAProxy's uptime in `show proc`: `0d00h00m01s`. */
export function procUptime(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const p = (n: number) => String(n).padStart(2, '0');
  return `${Math.floor(s / 86400)}d${p(Math.floor(s / 3600) % 24)}h${p(Math.floor(s / 60) % 60)}m${p(s % 60)}s`;
}

/** `show proc`: HAProxy's columns (`%-15s ` each). */
export function showProc(h: MasterCliHooks, now = Date.now()): string {
  const col = (v: string | number) => String(v).padEnd(15);
  const m = h.master();
  const row = (pid: number, type: string, reloads: string, started: number) =>
    `${col(pid)} ${col(type)} ${col(reloads)} ${col(procUptime(now - started))} ${col(h.version)}\n`;
  let out = `#${'<PID>'.padEnd(14)} ${col('<type>')} ${col('<reloads>')} ${col('<uptime>')} ${col('<version>')}\n`;
  out += row(m.pid, 'master', `${m.reloads} [failed: ${m.failed}]`, m.startedAt);
  out += '# workers\n';
  for (const w of h.workers()) out += row(w.pid, 'worker', '0', w.startedAt);
  return `${out}# programs\n\n`;
}

interface MasterCommand {
  words: string[];
  help: string;
  level: CliLevel;
}

const help = (usage: string, text: string) => `  ${usage.padEnd(40)}: ${text}`;

/** The master's commands, in HAProxy's help order. */
const COMMANDS: MasterCommand[] = [
  { words: ['@!<pid>'], help: help('@!<pid>', 'send a command to the <pid> process'), level: 'user' },
  {
    words: ['@<relative pid>'],
    help: help('@<relative pid>', 'send a command to the <relative pid> process'),
    level: 'user',
  },
  { words: ['@master'], help: help('@master', 'send a command to the master process'), level: 'user' },
  {
    words: ['operator'],
    help: help('operator', 'lower the level of the current CLI session to operator'),
    level: 'user',
  },
  { words: ['reload'], help: help('reload', 'reload haproxy'), level: 'admin' },
  {
    words: ['show', 'cli', 'level'],
    help: help('show cli level', 'display the level of the current CLI session'),
    level: 'user',
  },
  {
    words: ['show', 'cli', 'sockets'],
    help: help('show cli sockets', 'dump list of cli sockets'),
    level: 'user',
  },
  { words: ['show', 'proc'], help: help('show proc', 'show processes status'), level: 'user' },
  {
    words: ['show', 'version'],
    help: help('show version', 'show version of the current process'),
    level: 'user',
  },
  {
    words: ['user'],
    help: help('user', 'lower the level of the current CLI session to user'),
    level: 'user',
  },
];
const TRAILER = [
  help('help [<command>]', 'list matching or all commands'),
  help('prompt', 'toggle interactive mode with prompt'),
  help('quit', 'disconnect'),
];

function usage(head: string, only: MasterCommand[]): string {
  return `${head}\n${[...only.map((c) => c.help), ...TRAILER].join('\n')}\n\n`;
}

/** A command HAProxy's master does not know: the commands sharing its first words, as HAProxy lists them. */
function unknown(w: string[]): string {
  const shared = (c: MasterCommand) => {
    let n = 0;
    while (n < c.words.length && c.words[n] === w[n]) n++;
    return n;
  };
  const best = Math.max(0, ...COMMANDS.map(shared));
  return usage(
    'Unknown command, but maybe one of the following ones is a better match:',
    COMMANDS.filter((c) => best > 0 && shared(c) === best),
  );
}

const rank = (l: CliLevel): number => (l === 'user' ? 0 : l === 'operator' ? 1 : 2);
const READS = /^(show|help|get)\b/;

/** One connection: its lines, their `;`-separated commands, the prompt and the session's level. */
function serve(sock: net.Socket, level: CliLevel, h: MasterCliHooks): void {
  let buf = '';
  let prompt = false;
  let lvl = level;
  sock.on('error', () => {});
  let queue = Promise.resolve();
  sock.on('data', (d) => {
    buf += d.toString('latin1');
    queue = queue.then(drain);
  });
  sock.on('end', () => {
    queue = queue.then(() => {
      if (!sock.writableEnded) sock.end();
    });
  });
  /** one command's answer; `close` ends the connection after it */
  const run = async (cmd: string): Promise<{ out: string; close?: boolean }> => {
    const w = cmd.split(/[ \t]+/).filter((x) => x !== '');
    if (w[0].startsWith('@')) {
      const target = w[0].slice(1);
      const rest = w.slice(1).join(' ');
      if (target === 'master' || target === '0') return run(rest === '' ? 'help' : rest);
      const workers = h.workers();
      const wk = target.startsWith('!')
        ? workers.find((x) => String(x.pid) === target.slice(1))
        : workers.find((x) => String(x.relative) === target);
      if (wk === undefined) return { out: `Can't find the target PID matching the prefix '${w[0]}'\n` };
      if (rest === '') return { out: '' };
      return { out: READS.test(rest) ? await h.ask(wk.pid, rest, lvl) : await h.runEverywhere(rest, lvl) };
    }
    const line = w.join(' ');
    switch (line) {
      case 'help':
        return { out: usage('The following commands are valid at this level:', COMMANDS) };
      case 'show proc':
        return { out: showProc(h) };
      case 'show version':
        return { out: `${h.version}\n\n` };
      case 'show cli level':
        return { out: `${lvl}\n\n` };
      case 'show cli sockets':
        return { out: '\n' };
      case 'operator':
      case 'user':
        if (rank(line) > rank(lvl)) return { out: 'Permission denied!\n' };
        lvl = line;
        return { out: '' };
      case 'reload':
        if (rank(lvl) < rank('admin')) return { out: 'Permission denied\n\n' };
        h.reload();
        return { out: '', close: true };
    }
    return { out: unknown(w) };
  };
  const drain = async () => {
    for (;;) {
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      const line = buf.slice(0, nl).replace(/\r$/, '');
      buf = buf.slice(nl + 1);
      let out = '';
      for (const cmd of splitCommands(line)) {
        let r: { out: string; close?: boolean };
        if (cmd === 'prompt') {
          prompt = !prompt;
          r = { out: '' };
        } else if (cmd === 'quit') r = { out: '', close: true };
        else r = await run(cmd);
        out += r.out;
        // HAProxy's master prints its prompt after every command in prompt mode, quit included
        if (prompt) out += 'master> ';
        if (r.close) {
          sock.end(out);
          return;
        }
      }
      if (!prompt) {
        sock.end(out);
        return;
      }
      sock.write(out);
    }
  };
}

export async function startMasterCli(
  specs: readonly StatsSocketSpec[],
  h: MasterCliHooks,
  messages: MessageSink,
): Promise<CliServer[]> {
  const out: CliServer[] = [];
  try {
    for (const spec of specs)
      out.push(await listenCli(spec, 'MASTER', (sock) => serve(sock, spec.level, h), messages));
  } catch (err) {
    for (const s of out) s.close();
    throw err;
  }
  return out;
}

/**
 * The runtime API's commands with HAProxy 2.6's wording (recorded from haproxy 2.6.12 with socat in
 * test/stats/stats-expected.json): each returns its whole answer, ending with the empty line HAProxy
 * sends after every command. Levels as HAProxy: `user` reads, `operator` also clears the max
 * counters, `admin` changes servers.
 */
import type { BackendState } from '../backend/backend.ts';
import { ADMIN_MAINT, type ServerState } from '../backend/server.ts';
import { nextSessionId } from '../engine/proxy-runtime.ts';
import { csv } from '../stats/csv.ts';
import { statsJson, statsTyped } from '../stats/json.ts';
import { ALL_ROWS, type RowFilter, statsRows } from '../stats/snapshot.ts';
import type { StatsRuntime } from '../stats/stats-runtime.ts';
import {
  addServer,
  delServer,
  setFrontendMaxconn,
  setGlobalMaxconn,
  setServerAddr,
  setServerMaxconn,
} from './runtime-edits.ts';
import { monitorOf, setHealthChecks, setState, setWeight, shutdownSessions } from './server-admin.ts';
import { showErrors } from './show-errors.ts';
import { showInfo } from './show-info.ts';
import { showServersState } from './show-servers-state.ts';
import { showSess, shutdownSession } from './show-sess.ts';

export type CliLevel = 'user' | 'operator' | 'admin';

interface Command {
  words: string[];
  help: string;
  level: CliLevel;
  run(args: string[], rt: StatsRuntime, level: CliLevel): string;
}

const DENIED = 'Permission denied\n\n';

/** `B/S` → the backend and server, or HAProxy's message. */
function findServer(
  rt: StatsRuntime,
  arg: string | undefined,
): { be: BackendState; srv: ServerState } | string {
  if (arg === undefined || !arg.includes('/')) return "Require 'backend/server'.\n\n";
  const [b, s] = [arg.slice(0, arg.indexOf('/')), arg.slice(arg.indexOf('/') + 1)];
  const p = rt.proxies.find(
    (x) => x.backend !== null && (x.name === b || (b.startsWith('#') && String(x.uuid) === b.slice(1))),
  );
  if (p === undefined) return 'No such backend.\n\n';
  const srv = p.backend!.servers.find(
    (x) => x.spec.name === s || (s.startsWith('#') && String(x.spec.id) === s.slice(1)),
  );
  if (srv === undefined) return 'No such server.\n\n';
  return { be: p.backend!, srv };
}

/** server_parse_weight_change_request(): `N` or `N%` of the initial weight. */
function parseWeight(srv: ServerState, text: string | undefined): number | string {
  const t = text ?? '';
  const m = /^(\d+)(%?)$/.exec(t);
  if (m === null) return 'Empty weight string empty or preceded by garbage\n';
  let w = Number(m[1]);
  if (m[2] === '%') {
    if (w > 0 && w < 0x7fffffff) w = Math.floor((srv.spec.weight * w) / 100);
    if (w > 256) return 'Relative weight too high.\n\n';
  } else if (w > 256) return 'Absolute weight can only be between 0 and 256 inclusive.\n\n';
  return w;
}

function statFilter(
  args: string[],
): { filter: RowFilter; format: 'csv' | 'typed' | 'json'; up: boolean } | string {
  let format: 'csv' | 'typed' | 'json' = 'csv';
  let up = false;
  const nums: string[] = [];
  for (const a of args) {
    if (a === 'typed' || a === 'json') format = a;
    else if (a === 'up') up = true;
    else if (a === 'desc' || a === 'no-maint') continue;
    else nums.push(a);
  }
  if (nums.length === 0) return { filter: ALL_ROWS, format, up };
  if (nums.length !== 3) return 'Require object type and object id.\n\n';
  const [iid, type, sid] = nums;
  const proxy = iid === '-1' ? null : /^\d+$/.test(iid) ? Number(iid) : iid;
  return { filter: { proxy, types: Number(type) === -1 ? 7 : Number(type), sid: Number(sid) }, format, up };
}

const COMMANDS: Command[] = [
  {
    words: ['clear', 'counters'],
    help: '  clear counters [all]                    : clear max statistics counters (or all counters)',
    level: 'operator',
    run(args, rt, level) {
      const all = args[0] === 'all';
      if (all && level !== 'admin') return DENIED;
      for (const p of rt.proxies) {
        const f = p.frontend?.counters;
        const b = p.backend?.counters;
        if (all) {
          f?.clearAll();
          b?.clearAll();
        } else {
          f?.clearMax();
          b?.clearMax();
        }
        const load = p.backend?.load;
        if (load) {
          load.queue.max = load.queue.length;
          if (all) load.retries = load.redispatches = 0;
        }
        for (const sv of p.servers) {
          const s = sv.state;
          if (all) s.counters.clearAll();
          else s.counters.clearMax();
          s.queue.max = s.queue.length;
          if (all) s.retries = s.redispatches = 0;
        }
      }
      return '\n';
    },
  },
  {
    words: ['disable', 'health'],
    help: '  disable health                          : disable health checks',
    level: 'admin',
    run(args, rt) {
      const r = findServer(rt, args[0]);
      if (typeof r === 'string') return r;
      setHealthChecks(rt, r.srv, false);
      return '\n';
    },
  },
  {
    words: ['disable', 'server'],
    help: "  disable server (DEPRECATED)             : disable a server for maintenance (use 'set server' instead)",
    level: 'admin',
    run(args, rt) {
      const r = findServer(rt, args[0]);
      if (typeof r === 'string') return r;
      setState(rt, r.be, r.srv, 'maint');
      return '\n';
    },
  },
  {
    words: ['enable', 'health'],
    help: '  enable health                           : enable health checks',
    level: 'admin',
    run(args, rt) {
      const r = findServer(rt, args[0]);
      if (typeof r === 'string') return r;
      setHealthChecks(rt, r.srv, true);
      return '\n';
    },
  },
  {
    words: ['enable', 'server'],
    help: "  enable server  (DEPRECATED)             : enable a disabled server (use 'set server' instead)",
    level: 'admin',
    run(args, rt) {
      const r = findServer(rt, args[0]);
      if (typeof r === 'string') return r;
      if ((r.srv.admin & ADMIN_MAINT) !== 0) setState(rt, r.be, r.srv, 'ready');
      return '\n';
    },
  },
  {
    words: ['get', 'weight'],
    help: "  get weight <bk>/<srv>                   : report a server's current weight",
    level: 'user',
    run(args, rt) {
      const r = findServer(rt, args[0]);
      if (typeof r === 'string') return r;
      return `${r.srv.uweight} (initial ${r.srv.spec.weight})\n\n`;
    },
  },
  {
    words: ['set', 'server'],
    help: "  set server <bk>/<srv> [opts]            : change a server's state, weight, address or ssl",
    level: 'admin',
    run(args, rt) {
      const r = findServer(rt, args[0]);
      if (typeof r === 'string') return r;
      const what = args[1];
      if (what === 'state') {
        const st = args[2];
        if (st !== 'ready' && st !== 'drain' && st !== 'maint')
          return "'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n\n";
        setState(rt, r.be, r.srv, st);
        return '\n';
      }
      if (what === 'weight') {
        const w = parseWeight(r.srv, args[2]);
        if (typeof w === 'string') return w;
        setWeight(rt, r.be, r.srv, w);
        return '\n';
      }
      if (what === 'addr') {
        const port = args[3] === 'port' ? args[4] : undefined;
        return setServerAddr(r.srv, args[2], port);
      }
      if (
        what === 'health' ||
        what === 'agent' ||
        what === 'check-port' ||
        what === 'fqdn' ||
        what === 'ssl' ||
        what === 'agent-addr' ||
        what === 'agent-send' ||
        what === 'check-addr'
      )
        return `'set server <srv> ${what}' is not supported by this balancer yet.\n\n`;
      return "'set server <srv>' only supports 'agent', 'health', 'state', 'weight', 'addr', 'fqdn', 'check-addr', 'check-port', 'agent-addr', 'agent-port', 'agent-send' and 'ssl'.\n\n";
    },
  },
  {
    words: ['set', 'weight'],
    help: "  set weight <bk>/<srv>  (DEPRECATED)     : change a server's weight (use 'set server' instead)",
    level: 'admin',
    run(args, rt) {
      const r = findServer(rt, args[0]);
      if (typeof r === 'string') return r;
      const w = parseWeight(r.srv, args[1]);
      if (typeof w === 'string') return w;
      setWeight(rt, r.be, r.srv, w);
      return '\n';
    },
  },
  {
    words: ['show', 'backend'],
    help: '  show backend                            : list backends in the current running config',
    level: 'user',
    run(_args, rt) {
      let s = '# name\n';
      for (const p of rt.proxies) if (p.backend !== null) s += `${p.name}\n`;
      return `${s}\n`;
    },
  },
  {
    words: ['show', 'info'],
    help: '  show info [desc|json|typed|float]*      : report information about the running process',
    level: 'user',
    run(args, rt) {
      return showInfo(rt, args.includes('json') ? 'json' : args.includes('typed') ? 'typed' : 'text');
    },
  },
  {
    words: ['show', 'servers', 'state'],
    help: '  show servers state [<backend>]          : dump volatile server information (all or for a single backend)',
    level: 'user',
    run(args, rt) {
      return showServersState(rt, args[0] ?? null, monitorOf);
    },
  },
  {
    words: ['show', 'stat'],
    help: '  show stat [desc|json|no-maint|typed|up]*: report counters for each proxy and server',
    level: 'user',
    run(args, rt) {
      const f = statFilter(args);
      if (typeof f === 'string') return f;
      let rows = statsRows(rt.proxies, f.filter, { legends: true }, Date.now());
      if (f.up) rows = rows.filter((r) => r.type !== 2 || !String(r.status).startsWith('DOWN'));
      if (f.format === 'typed') return statsTyped(rows);
      if (f.format === 'json') return statsJson(rows);
      return `${csv(rows)}\n`;
    },
  },
  {
    words: ['shutdown', 'sessions', 'server'],
    help: '  shutdown sessions server <bk>/<srv>     : kill sessions on a server',
    level: 'admin',
    run(args, rt) {
      const r = findServer(rt, args[0]);
      if (typeof r === 'string') return r;
      shutdownSessions(rt, r.srv);
      return '\n';
    },
  },
  {
    words: ['shutdown', 'session'],
    help: '  shutdown session [id]                   : kill a specific session',
    level: 'admin',
    run(args, rt) {
      return shutdownSession(rt, args[0]);
    },
  },
  {
    words: ['show', 'sess'],
    help: '  show sess [id]                          : report the list of current sessions or dump this exact session',
    level: 'user',
    run(args, rt) {
      return showSess(rt, nextSessionId(), Date.now(), args[0]);
    },
  },
  {
    words: ['show', 'errors'],
    help: '  show errors [<px>] [request|response]   : report last request and/or response errors for each proxy',
    level: 'user',
    run(_args, rt) {
      return showErrors(rt);
    },
  },
  {
    words: ['set', 'maxconn', 'frontend'],
    help: "  set maxconn frontend <frontend> <value> : change a frontend's maxconn setting",
    level: 'admin',
    run(args, rt) {
      const fe = rt.frontends.find((f) => f.spec.name === args[0]);
      if (args[0] === undefined) return 'A frontend name is expected.\n\n';
      if (fe === undefined) return 'No such frontend.\n\n';
      if (args[1] === undefined) return 'Integer value expected.\n\n';
      // HAProxy reads the value with atoi(): text that is not a number is 0
      const v = Number.parseInt(args[1], 10) || 0;
      if (v < 0) return 'Value out of range.\n\n';
      setFrontendMaxconn(rt, fe, v);
      return '\n';
    },
  },
  {
    words: ['set', 'maxconn', 'global'],
    help: '  set maxconn global <value>              : change the per-process maxconn setting',
    level: 'admin',
    run(args, rt) {
      if (args[0] === undefined) return 'Expects an integer value.\n\n';
      const v = Number.parseInt(args[0], 10) || 0;
      if (v < 0) return 'Value out of range.\n\n';
      setGlobalMaxconn(rt, v);
      return '\n';
    },
  },
  {
    words: ['set', 'maxconn', 'server'],
    help: "  set maxconn server <bk>/<srv>           : change a server's maxconn setting",
    level: 'admin',
    run(args, rt) {
      const r = findServer(rt, args[0]);
      if (typeof r === 'string') return r;
      if (args[1] === undefined) return 'Require <maxconn>.\n\n';
      const v = Number.parseInt(args[1], 10) || 0;
      if (v < 0) return 'Require <maxconn>.\n\n';
      setServerMaxconn(r.srv, v);
      return '\n';
    },
  },
  {
    words: ['add', 'server'],
    help: '  add server <bk>/<srv>                   : create a new server',
    level: 'admin',
    run(args, rt) {
      const arg = args[0];
      if (arg === undefined || !arg.includes('/')) return "Require 'backend/server'.\n";
      const b = arg.slice(0, arg.indexOf('/'));
      const p = rt.proxies.find((x) => x.backend !== null && x.name === b);
      if (p === undefined) return 'No such backend.\n';
      return addServer(rt, p.backend!, arg.slice(arg.indexOf('/') + 1), args.slice(1));
    },
  },
  {
    words: ['del', 'server'],
    help: '  del server <bk>/<srv>                   : remove a dynamically added server',
    level: 'admin',
    run(args, rt) {
      const arg = args[0];
      if (arg === undefined || !arg.includes('/')) return "Require 'backend/server'.\n";
      const r = findServer(rt, arg);
      if (typeof r === 'string') return r.replace(/\n\n$/, '\n');
      return delServer(rt, r.be, r.srv);
    },
  },
];

const TRAILER = [
  '  help [<command>]                        : list matching or all commands',
  '  prompt                                  : toggle interactive mode with prompt',
  '  quit                                    : disconnect',
];
const LEVEL_LINES: Record<CliLevel, string[]> = {
  admin: [
    '  operator                                : lower the level of the current CLI session to operator',
  ],
  operator: [],
  user: [],
};
const USER_LINE =
  '  user                                    : lower the level of the current CLI session to user';

const rank = (l: CliLevel): number => (l === 'user' ? 0 : l === 'operator' ? 1 : 2);

function helpText(level: CliLevel, head: string, only: Command[] | null): string {
  const lines = (only ?? COMMANDS.filter((c) => rank(c.level) <= rank(level))).map((c) => c.help);
  if (only === null) {
    lines.push(...LEVEL_LINES[level]);
    if (level !== 'user') lines.push(USER_LINE);
    lines.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }
  return `${head}\n${[...lines, ...TRAILER].join('\n')}\n\n`;
}

/** Tokenizes a command line as HAProxy's CLI does (spaces separate words; `\\` escapes). */
function words(cmd: string): string[] {
  return cmd.split(/[ \t]+/).filter((w) => w !== '');
}

/** One command line (without `;`), its whole answer. */
export function runCommand(line: string, level: CliLevel, rt: StatsRuntime): string {
  const w = words(line);
  if (w.length === 0) return '';
  if (w[0] === 'help') {
    const match = COMMANDS.filter((c) => w.slice(1).every((x, i) => c.words[i] === x));
    return helpText(
      level,
      'The following commands are valid at this level:',
      w.length > 1 && match.length > 0 ? match : null,
    );
  }
  const cmd = COMMANDS.find((c) => c.words.every((x, i) => w[i] === x));
  if (cmd === undefined) {
    // HAProxy suggests the commands whose first words match best: those sharing the most leading words
    const shared = (c: Command) => {
      let n = 0;
      while (n < c.words.length && c.words[n] === w[n]) n++;
      return n;
    };
    const allowed = COMMANDS.filter((c) => rank(c.level) <= rank(level));
    const best = Math.max(0, ...allowed.map(shared));
    const near = allowed
      .filter((c) => best > 0 && shared(c) === best)
      .sort((a, b) => (a.help < b.help ? -1 : a.help > b.help ? 1 : 0))
      .slice(0, 5);
    return helpText(level, 'Unknown command, but maybe one of the following ones is a better match:', near);
  }
  if (rank(cmd.level) > rank(level)) return DENIED;
  return cmd.run(w.slice(cmd.words.length), rt, level);
}

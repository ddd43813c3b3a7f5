/**
 * Keywords of the `global` section (configuration.txt §3), as one table. Keywords the balancer has no
 * dedicated field for yet are kept as written in `settings` (and reported as planned).
 */
import { parseBindOptions } from './bind-options.ts';
import type { GlobalInput, LineContext } from './context.ts';
import { CODES } from './context.ts';
import { DEFAULT_HEALTH_SOCKET_PATH } from './model.ts';
import { parseLogLine } from './proxy-keywords.ts';
import { parseAddress, parseInteger, parseOctal, parseSize, parseTime } from './values.ts';

export interface GlobalScope {
  draft: GlobalInput;
  /** Environment used for the lines that follow (`setenv` & co change it, like HAProxy). */
  env: NodeJS.ProcessEnv;
  /** `default-path` setting, used to resolve relative file names. */
  defaultPath: { mode: 'current' | 'config' | 'parent' | 'origin'; origin: string | null };
}

export interface GlobalKeyword {
  /** The handler reports its own runtime status. */
  ownStatus?: boolean;
  handle(ctx: LineContext, g: GlobalScope): void;
}

function one(ctx: LineContext, what: string): string | undefined {
  if (ctx.args.length !== 1) {
    ctx.alert(
      ctx.args.length === 0
        ? `'${ctx.keyword}' expects ${what} as argument.`
        : `'${ctx.keyword}' expects exactly one argument (unexpected '${ctx.args[1]}').`,
      ctx.args.length === 0 ? CODES.missingArg : CODES.syntax,
    );
    return undefined;
  }
  return ctx.args[0];
}

function none(ctx: LineContext): boolean {
  if (ctx.args.length > 0) {
    ctx.alert(`'${ctx.keyword}' takes no argument (unexpected '${ctx.args[0]}').`, CODES.syntax);
    return false;
  }
  return true;
}

function int(ctx: LineContext, min: number, max: number, set: (n: number) => void) {
  const v = one(ctx, 'an integer');
  if (v === undefined) return;
  const n = parseInteger(v, ctx.keyword, min, max);
  if (!n.ok) return ctx.alert(n.error, CODES.badValue);
  set(n.value);
}

function str(ctx: LineContext, set: (v: string) => void) {
  const v = one(ctx, 'an argument');
  if (v !== undefined) set(v);
}

function size(ctx: LineContext, set: (n: number) => void) {
  const v = one(ctx, 'a size (e.g. 16384 or 16k)');
  if (v === undefined) return;
  const n = parseSize(v, ctx.keyword);
  if (!n.ok) return ctx.alert(n.error, CODES.badValue);
  set(n.value);
}

const setting: GlobalKeyword = {
  handle(ctx, g) {
    g.draft.settings ??= {};
    g.draft.settings[ctx.keyword] = [...ctx.args];
  },
};

function statsSocket(ctx: LineContext, g: GlobalScope) {
  const [addr, ...rest] = ctx.args.slice(1);
  if (addr === undefined)
    return ctx.alert("'stats socket' expects an address (a path or <ip>:<port>).", CODES.missingArg);
  const a = parseAddress(addr, { what: 'stats socket', portRequired: true, env: ctx.env });
  if (!a.ok) return ctx.alert(a.error, CODES.badValue);
  // `expose-fd listeners` is two words; the bind-option parser handles it as an option with a value.
  const opts = parseBindOptions(rest, `stats socket ${addr}`);
  if (!opts.ok) return ctx.alert(opts.error, CODES.badValue);
  const o = { ...opts.value.options };
  const take = (k: string) => {
    const v = o[k];
    delete o[k];
    return v;
  };
  const level = take('level');
  const mode = take('mode');
  const user = take('user');
  const group = take('group');
  const uid = take('uid');
  const gid = take('gid');
  const exposeFd = take('expose-fd');
  // Appended in place: a generated configuration with thousands of lines stays linear to load.
  g.draft.statsSockets ??= [];
  g.draft.statsSockets.push({
    address: a.value.address,
    level: (level as 'user' | 'operator' | 'admin' | undefined) ?? 'operator',
    mode: typeof mode === 'number' ? mode : null,
    user: typeof user === 'string' ? user : null,
    group: typeof group === 'string' ? group : null,
    uid: typeof uid === 'number' ? uid : null,
    gid: typeof gid === 'number' ? gid : null,
    exposeFdListeners: exposeFd === 'listeners',
    options: o,
    file: ctx.file,
    line: ctx.line,
  });
}

const statsKeyword: GlobalKeyword = {
  ownStatus: true,
  handle(ctx, g) {
    const sub = ctx.args[0];
    const rest = ctx.as(`stats ${sub}`, ctx.args.slice(1));
    switch (sub) {
      case 'socket':
        statsSocket(ctx, g);
        break;
      case 'timeout': {
        const v = one(rest, 'a time (e.g. 30s)');
        if (v === undefined) return;
        const t = parseTime(v, 'stats timeout');
        if (!t.ok) return ctx.alert(t.error, CODES.badValue);
        g.draft.statsTimeout = t.value;
        break;
      }
      case 'maxconn':
        int(rest, 1, 2 ** 31 - 1, (n) => (g.draft.statsMaxconn = n));
        break;
      case 'bind-process':
        break;
      default:
        return ctx.alert(
          `'stats' expects 'socket', 'maxconn', 'timeout' or 'bind-process' in the 'global' section${sub ? ` (got '${sub}')` : ''}.`,
          CODES.badValue,
        );
    }
    ctx.uses(`stats ${sub}`, `stats ${sub}`);
  },
};

export const GLOBAL_KEYWORDS: Record<string, GlobalKeyword> = {
  daemon: {
    ownStatus: true,
    handle: (ctx, g) => {
      if (!none(ctx)) return;
      g.draft.daemon = true;
      ctx.uses('daemon');
    },
  },
  'master-worker': {
    handle: (ctx, g) => {
      if (ctx.args.length > 1 || (ctx.args.length === 1 && ctx.args[0] !== 'no-exit-on-failure')) {
        return ctx.alert("'master-worker' only supports 'no-exit-on-failure'.", CODES.syntax);
      }
      g.draft.masterWorker = true;
    },
  },
  nbthread: {
    handle: (ctx, g) =>
      int(ctx, 1, 4096, (n) => {
        g.draft.nbthread = n;
      }),
  },
  nbproc: {
    handle: (ctx, g) =>
      int(ctx, 1, 4096, (n) => {
        g.draft.nbproc = n;
        ctx.warn(
          "'nbproc' is not supported any more since HAProxy 2.5 and is ignored; threads are used instead (see 'nbthread').",
          CODES.legacy,
        );
      }),
    ownStatus: true,
  },
  maxconn: {
    ownStatus: true,
    handle: (ctx, g) =>
      int(ctx, 1, 2 ** 31 - 1, (n) => {
        g.draft.maxconn = n;
        ctx.uses('global maxconn', 'maxconn');
      }),
  },
  pidfile: { handle: (ctx, g) => str(ctx, (v) => (g.draft.pidfile = v)) },
  'unsafe-ignore-unimplemented': {
    handle: (ctx, g) => {
      if (none(ctx)) g.draft.unsafeIgnoreUnimplemented = true;
    },
  },
  chroot: {
    ownStatus: true,
    handle: (ctx, g) =>
      str(ctx, (v) => {
        g.draft.chroot = v;
        ctx.uses('chroot', `chroot ${v}`);
      }),
  },
  'cpu-map': { handle: cpuMap },
  user: { handle: (ctx, g) => str(ctx, (v) => (g.draft.user = v)) },
  group: { handle: (ctx, g) => str(ctx, (v) => (g.draft.group = v)) },
  uid: { handle: (ctx, g) => int(ctx, 0, 2 ** 31 - 1, (n) => (g.draft.uid = n)) },
  gid: { handle: (ctx, g) => int(ctx, 0, 2 ** 31 - 1, (n) => (g.draft.gid = n)) },
  'ulimit-n': { handle: (ctx, g) => int(ctx, 1, 2 ** 31 - 1, (n) => (g.draft.ulimitN = n)) },
  'spread-checks': { handle: (ctx, g) => int(ctx, 0, 50, (n) => (g.draft.spreadChecks = n)) },
  log: {
    handle(ctx, g) {
      const r = parseLogLine(ctx, false);
      if (!r) return;
      if ('clear' in r) g.draft.log = [];
      else {
        g.draft.log ??= [];
        g.draft.log.push(r.entry);
      }
    },
  },
  'log-tag': { handle: (ctx, g) => str(ctx, (v) => (g.draft.logTag = v)) },
  stats: statsKeyword,
  'tune.bufsize': { handle: (ctx, g) => size(ctx, (n) => (g.draft.tuneBufsize = n)) },
  'tune.maxrewrite': { handle: (ctx, g) => size(ctx, (n) => (g.draft.tuneMaxrewrite = n)) },
  'tune.http.maxhdr': { handle: (ctx, g) => int(ctx, 1, 32767, (n) => (g.draft.tuneHttpMaxhdr = n)) },
  'tune.h2.max-concurrent-streams': {
    handle: (ctx, g) => int(ctx, 1, 2147483647, (n) => (g.draft.tuneH2MaxConcurrentStreams = n)),
  },
  'tune.h2.initial-window-size': {
    handle: (ctx, g) => int(ctx, 0, 2147483647, (n) => (g.draft.tuneH2InitialWindowSize = n)),
  },
  'tune.h2.header-table-size': {
    handle: (ctx, g) => int(ctx, 0, 65536, (n) => (g.draft.tuneH2HeaderTableSize = n)),
  },
  'hard-stop-after': {
    handle: (ctx, g) =>
      str(ctx, (v) => {
        const t = parseTime(v, 'hard-stop-after');
        if (!t.ok) return ctx.alert(t.error, CODES.badValue);
        g.draft.hardStopAfter = t.value;
      }),
  },
  node: { handle: (ctx, g) => str(ctx, (v) => (g.draft.node = v)) },
  description: {
    handle: (ctx, g) => {
      if (ctx.args.length === 0)
        return ctx.alert("'description' expects a string argument.", CODES.missingArg);
      g.draft.description = ctx.args.join(' ');
    },
  },
  'ca-base': { handle: (ctx, g) => str(ctx, (v) => (g.draft.caBase = v)) },
  'crt-base': { handle: (ctx, g) => str(ctx, (v) => (g.draft.crtBase = v)) },
  'health-socket': {
    handle(ctx, g) {
      const [path, word, mode, extra] = ctx.args;
      if (path === undefined) {
        return ctx.alert(
          `'health-socket' expects a Unix socket path (e.g. 'health-socket ${DEFAULT_HEALTH_SOCKET_PATH} mode 660').`,
          CODES.missingArg,
        );
      }
      if (!path.startsWith('/'))
        return ctx.alert(`'health-socket' expects an absolute path, got '${path}'.`, CODES.badValue);
      let m = 0o660;
      if (word !== undefined) {
        if (word !== 'mode' || extra !== undefined) {
          return ctx.alert(
            `'health-socket' expects <path> [mode <octal>] (unexpected '${word === 'mode' ? extra : word}').`,
            CODES.syntax,
          );
        }
        const o = parseOctal(mode, 'health-socket mode');
        if (!o.ok) return ctx.alert(o.error, CODES.badValue);
        m = o.value;
      }
      g.draft.healthSocket = { path, mode: m };
    },
  },
  'default-path': {
    handle(ctx, g) {
      const [mode, origin] = ctx.args;
      if (mode === 'origin') {
        if (origin === undefined) return ctx.alert("'default-path origin' expects a path.", CODES.missingArg);
        g.defaultPath = { mode, origin };
      } else if (mode === 'current' || mode === 'config' || mode === 'parent') {
        if (ctx.args.length > 1)
          return ctx.alert(`'default-path ${mode}' takes no other argument.`, CODES.syntax);
        g.defaultPath = { mode, origin: null };
      } else {
        return ctx.alert(
          "'default-path' expects 'current', 'config', 'parent' or 'origin <path>'.",
          CODES.badValue,
        );
      }
      g.draft.settings ??= {};
      g.draft.settings['default-path'] = [...ctx.args];
    },
  },
  setenv: { handle: (ctx, g) => envKeyword(ctx, g) },
  presetenv: { handle: (ctx, g) => envKeyword(ctx, g) },
  unsetenv: { handle: (ctx, g) => envKeyword(ctx, g) },
  resetenv: { handle: (ctx, g) => envKeyword(ctx, g) },
};

/** Keywords whose effect is on the configuration itself: they are active by nature. */
export const SELF_APPLIED_GLOBAL = new Set(['setenv', 'presetenv', 'unsetenv', 'resetenv', 'default-path']);

function envKeyword(ctx: LineContext, g: GlobalScope) {
  const [name, value] = ctx.args;
  switch (ctx.keyword) {
    case 'setenv':
    case 'presetenv':
      if (name === undefined || value === undefined || ctx.args.length !== 2) {
        return ctx.alert(`'${ctx.keyword}' expects a name and a value.`, CODES.missingArg);
      }
      if (ctx.keyword === 'setenv' || g.env[name] === undefined) g.env[name] = value;
      break;
    case 'unsetenv':
      for (const n of ctx.args) delete g.env[n];
      break;
    case 'resetenv': {
      const keep = new Set(ctx.args);
      for (const n of Object.keys(g.env)) if (!keep.has(n)) delete g.env[n];
      break;
    }
  }
}

const CPU_MAP_USAGE =
  "cpu-map expects a process number  ('all', 'odd', 'even', a number from 1 to 64 or a range),  followed by a list of CPU ranges with numbers from 0 to 63.";

/** parse_process_mask(): all / odd / even / N / N-M / N- within 1…64; the alert text when it is not. */
function setError(word: string): string | null {
  if (word === 'all' || word === 'odd' || word === 'even') return null;
  const m = /^(\d+)(?:-(\d*))?$/.exec(word);
  if (m === null) return `cpu-map : '${word}' is not a valid number/range.`;
  let low = Number(m[1]);
  let high = m[2] === undefined ? low : m[2] === '' ? 64 : Number(m[2]);
  if (high < low) [low, high] = [high, low];
  if (low < 1 || high > 64)
    return `cpu-map : '${word}' is not a valid number/range. It supports numbers from 1 to 64.`;
  return null;
}

/** `cpu-map [auto:]P[/T] CPUS…` (cfgparse-global.c), every line kept. */
function cpuMap(ctx: LineContext, g: GlobalScope) {
  if (ctx.args.length < 2) return ctx.alert(CPU_MAP_USAGE, CODES.missingArg);
  let first = ctx.args[0];
  const auto = first.startsWith('auto:');
  if (auto) first = first.slice(5);
  const slash = first.indexOf('/');
  const processes = slash < 0 ? first : first.slice(0, slash);
  const threads = slash < 0 ? null : first.slice(slash + 1);
  for (const w of threads === null ? [processes] : [processes, threads]) {
    const e = setError(w);
    if (e !== null) return ctx.alert(e, CODES.badValue);
  }
  const cpus = ctx.args.slice(1);
  // parse_cpu_set(): a CPU range starts with a digit (the rest is read as str2uic does)
  for (const c of cpus)
    if (!/^\d/.test(c)) return ctx.alert(`cpu-map : '${c}' is not a CPU range.`, CODES.badValue);
  g.draft.cpuMap ??= [];
  g.draft.cpuMap.push({ auto, processes, threads, cpus, file: ctx.file, line: ctx.line });
}

/** The rest of HAProxy 2.6's global keywords: accepted, kept in `settings`, reported as planned. */
const OTHER_GLOBAL = `51degrees-cache-size 51degrees-data-file 51degrees-property-name-list 51degrees-property-separator
cluster-secret cpu-map deviceatlas-json-file deviceatlas-log-level deviceatlas-properties-cookie deviceatlas-separator
expose-experimental-directives external-check fd-hard-limit grace h1-accept-payload-with-any-method h1-case-adjust
h1-case-adjust-file h2-workaround-bogus-websocket-clients httpclient.resolvers.id httpclient.resolvers.prefer
httpclient.ssl.ca-file httpclient.ssl.verify insecure-fork-wanted insecure-setuid-wanted issuers-chain-path localpeer
log-send-hostname lua-load lua-load-per-thread lua-prepend-path mworker-max-reloads numa-cpu-mapping pp2-never-send-local
set-dumpable set-var ssl-default-bind-ciphers ssl-default-bind-ciphersuites ssl-default-bind-curves
ssl-default-bind-options ssl-default-server-ciphers ssl-default-server-ciphersuites ssl-default-server-options
ssl-dh-param-file ssl-propquery ssl-provider ssl-provider-path ssl-server-verify ssl-skip-self-issued-ca strict-limits
unix-bind wurfl-cache-size wurfl-data-file wurfl-information-list wurfl-information-list-separator busy-polling
max-spread-checks maxcompcpuusage maxcomprate maxconnrate maxpipes maxsessrate maxsslconn maxsslrate maxzlibmem
no-memory-trimming noepoll noevports nogetaddrinfo nokqueue nopoll noreuseport nosplice profiling.tasks
server-state-base server-state-file ssl-engine ssl-mode-async tune.buffers.limit tune.buffers.reserve tune.comp.maxlevel
tune.fail-alloc tune.fd.edge-triggered tune.h2.header-table-size tune.h2.initial-window-size
tune.h2.max-concurrent-streams tune.http.cookielen tune.http.logurilen tune.idle-pool.shared tune.idletimer
tune.lua.forced-yield tune.lua.maxmem tune.lua.service-timeout tune.lua.session-timeout tune.lua.task-timeout
tune.maxaccept tune.maxpollevents tune.pattern.cache-size tune.peers.max-updates-at-once tune.pipesize
tune.pool-high-fd-ratio tune.pool-low-fd-ratio tune.quic.frontend.conn-tx-buffers.limit
tune.quic.frontend.max-idle-timeout tune.quic.frontend.max-streams-bidi tune.quic.retry-threshold tune.rcvbuf.client
tune.rcvbuf.server tune.recv_enough tune.runqueue-depth tune.sched.low-latency tune.sndbuf.client tune.sndbuf.server
tune.ssl.cachesize tune.ssl.capture-buffer-size tune.ssl.capture-cipherlist-size tune.ssl.default-dh-param
tune.ssl.force-private-cache tune.ssl.hard-maxrecord tune.ssl.keylog tune.ssl.lifetime tune.ssl.maxrecord
tune.ssl.ssl-ctx-cache-size tune.vars.global-max-size tune.vars.proc-max-size tune.vars.reqres-max-size
tune.vars.sess-max-size tune.vars.txn-max-size tune.zlib.memlevel tune.zlib.windowsize quiet zero-warning
tune.h2.fe.initial-window-size tune.h2.be.initial-window-size tune.listener.multi-queue tune.ssl.ocsp-update.maxdelay
close-spread-time profiling.memory set-var-fmt ssl-load-extra-files thread-group thread-groups tune.h2.max-frame-size
wurfl-patch-file`;

for (const kw of OTHER_GLOBAL.split(/\s+/)) GLOBAL_KEYWORDS[kw] ??= setting;

/**
 * `server` and `default-server` options (configuration.txt §5.2), as a declarative table:
 * option → how many arguments, how to parse them, and where they go in the server draft.
 */
import { suggest } from '../common/did-you-mean.ts';
import type { ServerDefaults } from './context.ts';
import type { Parsed } from './values.ts';
import { parseInteger, parseTime } from './values.ts';

/** Sets an option on a draft; returns HAProxy's message on a bad value. `server`: its name, or 'default-server'. */
type Apply = (s: ServerDefaults, arg: string, server: string) => string | null;

interface OptionSpec {
  /** Number of arguments (0 = flag). */
  arity: 0 | 1;
  apply: Apply;
}

const flag =
  (set: (s: ServerDefaults) => void): OptionSpec['apply'] =>
  (s) => {
    set(s);
    return null;
  };

/**
 * A time option. The check intervals (`positive`) cannot be 0: HAProxy 2.6 refuses it while it reads the
 * line (server.c, srv_parse_check_inter-style parsers: "invalid value 0 for argument 'inter' of server
 * s."; its caller adds the second period). `slowstart 0` is valid (off).
 */
const time =
  (
    key: 'inter' | 'fastinter' | 'downinter' | 'slowstart' | 'agentInter',
    name: string,
    positive = false,
  ): Apply =>
  (s, arg, server) => {
    const t = parseTime(arg, name);
    if (!t.ok) return t.error;
    if (positive && t.value === 0) return `invalid value 0 for argument '${name}' of server ${server}..`;
    s[key] = t.value;
    return null;
  };

const int =
  (
    key:
      | 'rise'
      | 'fall'
      | 'weight'
      | 'maxconn'
      | 'maxqueue'
      | 'minconn'
      | 'port'
      | 'agentPort'
      | 'errorLimit'
      | 'id',
    name: string,
    min: number,
    max: number,
  ): Apply =>
  (s, arg) => {
    const n = parseInteger(arg, name, min, max);
    if (!n.ok) return n.error;
    s[key] = n.value;
    return null;
  };

/** rise, fall, error-limit: integers from 1, with HAProxy's message for 0 (server.c / check.c). */
const atLeastOne =
  (key: 'rise' | 'fall' | 'errorLimit', zero: string): Apply =>
  (s, arg) => {
    if (/^-?0+$/.test(arg)) return zero;
    const n = parseInteger(arg, key === 'errorLimit' ? 'error-limit' : key, 1, 2 ** 31 - 1);
    if (!n.ok) return n.error;
    s[key] = n.value;
    return null;
  };

const str =
  (key: 'cookie' | 'addr' | 'sni' | 'agentAddr' | 'agentSend' | 'redir' | 'track' | 'resolvers'): Apply =>
  (s, arg) => {
    s[key] = arg;
    return null;
  };

const oneOf =
  <K extends 'verify' | 'observe' | 'onError' | 'resolvePrefer'>(
    key: K,
    name: string,
    values: readonly string[],
  ): Apply =>
  (s, arg) => {
    if (!values.includes(arg))
      return `'${name}' expects ${values.map((v) => `'${v}'`).join(', ')}, got '${arg}'`;
    (s as Record<string, unknown>)[key] = arg;
    return null;
  };

/** Kept as written in `other` (TLS material, pools, PROXY v2 options, …). */
const keep =
  (name: string): Apply =>
  (s, arg) => {
    s.other = { ...(s.other ?? {}), [name]: arg };
    return null;
  };
const keepFlag =
  (name: string): Apply =>
  (s) => {
    s.other = { ...(s.other ?? {}), [name]: true };
    return null;
  };

export const SERVER_OPTIONS: Record<string, OptionSpec> = {
  check: { arity: 0, apply: flag((s) => (s.check = true)) },
  'no-check': { arity: 0, apply: flag((s) => (s.check = false)) },
  'check-ssl': { arity: 0, apply: flag((s) => (s.checkSsl = true)) },
  'no-check-ssl': { arity: 0, apply: flag((s) => (s.checkSsl = false)) },
  'check-send-proxy': { arity: 0, apply: flag((s) => (s.checkSendProxy = true)) },
  inter: { arity: 1, apply: time('inter', 'inter', true) },
  fastinter: { arity: 1, apply: time('fastinter', 'fastinter', true) },
  downinter: { arity: 1, apply: time('downinter', 'downinter', true) },
  rise: { arity: 1, apply: atLeastOne('rise', "'rise' has to be > 0..") },
  fall: { arity: 1, apply: atLeastOne('fall', "'fall' has to be > 0..") },
  weight: {
    arity: 1,
    apply: (s, arg, server) => {
      const n = parseInteger(arg, 'weight', 0, 256);
      if (n.ok) s.weight = n.value;
      // server.c, srv_parse_weight
      return n.ok ? null : `weight of server ${server} is not within 0 and 256 (${arg})..`;
    },
  },
  maxconn: { arity: 1, apply: int('maxconn', 'maxconn', 0, 2 ** 31 - 1) },
  maxqueue: { arity: 1, apply: int('maxqueue', 'maxqueue', 0, 2 ** 31 - 1) },
  minconn: { arity: 1, apply: int('minconn', 'minconn', 0, 2 ** 31 - 1) },
  cookie: { arity: 1, apply: str('cookie') },
  backup: { arity: 0, apply: flag((s) => (s.backup = true)) },
  'no-backup': { arity: 0, apply: flag((s) => (s.backup = false)) },
  disabled: { arity: 0, apply: flag((s) => (s.disabled = true)) },
  enabled: { arity: 0, apply: flag((s) => (s.disabled = false)) },
  port: { arity: 1, apply: int('port', 'port', 1, 65535) },
  addr: { arity: 1, apply: str('addr') },
  ssl: { arity: 0, apply: flag((s) => (s.ssl = true)) },
  'no-ssl': { arity: 0, apply: flag((s) => (s.ssl = false)) },
  verify: { arity: 1, apply: oneOf('verify', 'verify', ['none', 'required']) },
  sni: { arity: 1, apply: str('sni') },
  observe: { arity: 1, apply: oneOf('observe', 'observe', ['layer4', 'layer7']) },
  'on-error': {
    arity: 1,
    apply: (s, arg) => {
      const values = ['fastinter', 'fail-check', 'sudden-death', 'mark-down'] as const;
      if (!(values as readonly string[]).includes(arg))
        return `'on-error' expects one of 'fastinter', 'fail-check', 'sudden-death' or 'mark-down' but got '${arg}'.`;
      s.onError = arg as (typeof values)[number];
      return null;
    },
  },
  'error-limit': { arity: 1, apply: atLeastOne('errorLimit', 'error-limit has to be > 0..') },
  slowstart: { arity: 1, apply: time('slowstart', 'slowstart') },
  'send-proxy': { arity: 0, apply: flag((s) => (s.sendProxy = true)) },
  'no-send-proxy': { arity: 0, apply: flag((s) => (s.sendProxy = false)) },
  'send-proxy-v2': { arity: 0, apply: flag((s) => (s.sendProxyV2 = true)) },
  'no-send-proxy-v2': { arity: 0, apply: flag((s) => (s.sendProxyV2 = false)) },
  'agent-check': { arity: 0, apply: flag((s) => (s.agentCheck = true)) },
  'no-agent-check': { arity: 0, apply: flag((s) => (s.agentCheck = false)) },
  'agent-port': { arity: 1, apply: int('agentPort', 'agent-port', 1, 65535) },
  'agent-inter': { arity: 1, apply: time('agentInter', 'agent-inter', true) },
  'agent-addr': { arity: 1, apply: str('agentAddr') },
  'agent-send': { arity: 1, apply: str('agentSend') },
  redir: { arity: 1, apply: str('redir') },
  track: { arity: 1, apply: str('track') },
  'init-addr': {
    arity: 1,
    apply: (s, arg) => {
      const methods = arg.split(',');
      for (const m of methods) {
        if (!['last', 'libc', 'none'].includes(m) && !/^[0-9a-fA-F.:]+$/.test(m)) {
          return `'init-addr' expects a comma-separated list of last, libc, none or an IP address, got '${m}'`;
        }
      }
      s.initAddr = methods;
      return null;
    },
  },
  resolvers: { arity: 1, apply: str('resolvers') },
  'resolve-prefer': { arity: 1, apply: oneOf('resolvePrefer', 'resolve-prefer', ['ipv4', 'ipv6']) },
  id: { arity: 1, apply: int('id', 'id', 1, 2 ** 31 - 1) },
};

for (const name of [
  'alpn',
  'ca-file',
  'check-alpn',
  'check-proto',
  'check-sni',
  'ciphers',
  'ciphersuites',
  'crl-file',
  'crt',
  'curves',
  'log-proto',
  'max-reuse',
  'namespace',
  'npn',
  'on-marked-down',
  'on-marked-up',
  'pool-conn-name',
  'pool-low-conn',
  'pool-max-conn',
  'pool-purge-delay',
  'proto',
  'proxy-v2-options',
  'resolve-net',
  'resolve-opts',
  'set-proxy-v2-tlv-fmt',
  'shard',
  'sigalgs',
  'socks4',
  'source',
  'ssl-max-ver',
  'ssl-min-ver',
  'tcp-ut',
  'verifyhost',
  'ws',
  'hash-key',
  'client-sigalgs',
]) {
  SERVER_OPTIONS[name] = { arity: 1, apply: keep(name) };
}
for (const name of [
  'allow-0rtt',
  'check-via-socks4',
  'force-sslv3',
  'force-tlsv10',
  'force-tlsv11',
  'force-tlsv12',
  'force-tlsv13',
  'no-sslv3',
  'no-tlsv10',
  'no-tlsv11',
  'no-tlsv12',
  'no-tlsv13',
  'no-tls-tickets',
  'tls-tickets',
  'no-verifyhost',
  'no-ssl-reuse',
  'ssl-reuse',
  'non-stick',
  'stick',
  'tfo',
  'send-proxy-v2-ssl',
  'send-proxy-v2-ssl-cn',
  'check-send-proxy',
]) {
  SERVER_OPTIONS[name] ??= { arity: 0, apply: keepFlag(name) };
}
for (const name of ['no-tfo', 'no-send-proxy-v2-ssl', 'no-send-proxy-v2-ssl-cn', 'no-check-send-proxy']) {
  SERVER_OPTIONS[name] ??= { arity: 0, apply: keepFlag(name) };
}

/** Maps an option to the runtime-status key (`server check`, `server agent-port` → `server agent`). */
export function serverOptionStatusKey(option: string): string {
  const base = option.startsWith('no-') && SERVER_OPTIONS[option.slice(3)] ? option.slice(3) : option;
  return `server ${base}`;
}

export interface ServerOptionsResult {
  /** Options in the order they were written, for the runtime-status warning. */
  used: string[];
}

/** Applies options `args` (after the address) to `into`; the first error stops, like HAProxy. */
export function applyServerOptions(
  args: readonly string[],
  into: ServerDefaults,
  server = 'default-server',
): Parsed<ServerOptionsResult> {
  const used: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const name = args[i];
    const spec = SERVER_OPTIONS[name];
    if (!spec) {
      const hint = suggest(name, Object.keys(SERVER_OPTIONS));
      return {
        ok: false,
        error: `unknown keyword '${name}'${hint ? `; did you mean '${hint}' maybe ?` : ''}`,
      };
    }
    let arg = 'true';
    if (spec.arity === 1) {
      if (args[i + 1] === undefined) return { ok: false, error: `'${name}' expects an argument` };
      arg = args[++i];
    }
    const e = spec.apply(into, arg, server);
    if (e) return { ok: false, error: e };
    used.push(name);
  }
  return { ok: true, value: { used } };
}

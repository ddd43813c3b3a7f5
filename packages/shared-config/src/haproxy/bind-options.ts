/**
 * `bind` options (configuration.txt §5.1), also used by `stats socket`: option → arity and value type.
 * Values land in `Bind.options` keyed by the option name as written.
 */
import { suggest } from '../common/did-you-mean.ts';
import type { Parsed } from './values.ts';
import { parseInteger, parseOctal } from './values.ts';

type Kind = 'flag' | 'string' | 'int' | 'octal';

export const BIND_OPTIONS: Record<string, Kind> = {
  'accept-netscaler-cip': 'int',
  'accept-proxy': 'flag',
  'allow-0rtt': 'flag',
  alpn: 'string',
  backlog: 'int',
  'ca-file': 'string',
  'ca-ignore-err': 'string',
  'ca-sign-file': 'string',
  'ca-sign-pass': 'string',
  'ca-verify-file': 'string',
  ciphers: 'string',
  ciphersuites: 'string',
  'crl-file': 'string',
  crt: 'string',
  'crt-ignore-err': 'string',
  'crt-list': 'string',
  curves: 'string',
  'defer-accept': 'flag',
  ecdhe: 'string',
  'expose-fd': 'string',
  'force-sslv3': 'flag',
  'force-tlsv10': 'flag',
  'force-tlsv11': 'flag',
  'force-tlsv12': 'flag',
  'force-tlsv13': 'flag',
  'generate-certificates': 'flag',
  gid: 'int',
  group: 'string',
  id: 'int',
  interface: 'string',
  level: 'string',
  maxconn: 'int',
  mode: 'octal',
  mss: 'string',
  name: 'string',
  namespace: 'string',
  nice: 'int',
  'no-ca-names': 'flag',
  'no-sslv3': 'flag',
  'no-tls-tickets': 'flag',
  'no-tlsv10': 'flag',
  'no-tlsv11': 'flag',
  'no-tlsv12': 'flag',
  'no-tlsv13': 'flag',
  npn: 'string',
  'prefer-client-ciphers': 'flag',
  process: 'string',
  proto: 'string',
  'quic-cc-algo': 'string',
  'quic-force-retry': 'flag',
  'severity-output': 'string',
  ssl: 'flag',
  'ssl-max-ver': 'string',
  'ssl-min-ver': 'string',
  'strict-sni': 'flag',
  'tcp-ut': 'string',
  tfo: 'flag',
  thread: 'string',
  'tls-ticket-keys': 'string',
  shards: 'string',
  transparent: 'flag',
  uid: 'int',
  user: 'string',
  v4v6: 'flag',
  v6only: 'flag',
  verify: 'string',
  sigalgs: 'string',
  'client-sigalgs': 'string',
};

const ENUMS: Record<string, readonly string[]> = {
  level: ['user', 'operator', 'admin'],
  verify: ['none', 'optional', 'required'],
  'severity-output': ['none', 'number', 'string'],
  'expose-fd': ['listeners'],
  'ssl-min-ver': ['SSLv3', 'TLSv1.0', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'],
  'ssl-max-ver': ['SSLv3', 'TLSv1.0', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'],
};

export type BindOptions = Record<string, string | boolean | number>;

export interface BindOptionsResult {
  options: BindOptions;
  /** Option names in order, for runtime-status warnings. */
  used: string[];
}

/** Parses bind options; several `crt` are joined with commas (each one is a certificate or directory). */
export function parseBindOptions(args: readonly string[], keyword: string): Parsed<BindOptionsResult> {
  const options: BindOptions = {};
  const used: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const name = args[i];
    const kind = BIND_OPTIONS[name];
    if (kind === undefined) {
      const hint = suggest(name, Object.keys(BIND_OPTIONS));
      return {
        ok: false,
        error: `'${keyword}' unknown keyword '${name}'.${hint ? ` Did you mean '${hint}' maybe ?` : ''}`,
      };
    }
    used.push(name);
    if (kind === 'flag') {
      options[name] = true;
      continue;
    }
    const value = args[i + 1];
    if (value === undefined) return { ok: false, error: `'${keyword}' : missing argument for '${name}'` };
    i++;
    if (kind === 'int') {
      const n = parseInteger(value, `${keyword} ${name}`);
      if (!n.ok) return n;
      options[name] = n.value;
    } else if (kind === 'octal') {
      const n = parseOctal(value, `${keyword} ${name}`);
      if (!n.ok) return n;
      options[name] = n.value;
    } else {
      const allowed = ENUMS[name];
      if (allowed && !allowed.includes(value)) {
        return {
          ok: false,
          error: `'${keyword} ${name}' expects ${allowed.map((v) => `'${v}'`).join(', ')}, got '${value}'`,
        };
      }
      options[name] = name === 'crt' && typeof options.crt === 'string' ? `${options.crt},${value}` : value;
    }
  }
  return { ok: true, value: { options, used } };
}

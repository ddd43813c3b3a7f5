/**
 * haproxy.cfg's check settings (the shared-config model) → the engine's check specs, once at start.
 * Which forms are supported is decided here and reported by config/in-effect.ts (`checkRuleSupport`),
 * so `-c` says exactly what runs: an unsupported `http-check`/`tcp-check` form is refused there, and
 * skipped here only when `unsafe-ignore-unimplemented` let it through.
 */
import type { HaproxyConfig, Proxy as ModelProxy, Server as ModelServer } from '@ha-lb/shared-config/haproxy';
import { LB_ERR, LbError } from '../errors.ts';
import type {
  BackendCheckSpec,
  CheckGlobals,
  CheckMethod,
  HttpExpect,
  ServerCheckSpec,
  TcpCheckRule,
} from './check-spec.ts';
import { buildHttpRequest, type HttpCheckRequest, parseLegacyExtra, parseStatusList } from './http-check.ts';

const SEND_WORDS = new Set(['meth', 'uri', 'ver', 'hdr', 'body']);
const HTTP_EXPECT = new Set(['status', 'rstatus', 'string', 'rstring']);
const TCP_EXPECT = new Set(['string', 'rstring', 'binary']);

/**
 * null when the balancer runs this `http-check`/`tcp-check` line as written; otherwise why not, and
 * whether ignoring it would make the check test something else ('refuse') or only lose a detail ('warn').
 */
export function checkRuleSupport(
  kind: 'http-check' | 'tcp-check',
  args: readonly string[],
): { level: 'warn' | 'refuse' | 'inert'; note: string } | null {
  const [sub, ...rest] = args;
  if (sub === 'comment') return { level: 'inert', note: 'a comment' };
  if (sub === 'set-var' || sub === 'unset-var' || sub?.startsWith('set-var('))
    return { level: 'warn', note: 'check variables are planned' };
  if (kind === 'http-check') {
    if (sub === 'send') {
      for (let i = 0; i < rest.length; i += rest[i] === 'hdr' ? 3 : 2)
        if (!SEND_WORDS.has(rest[i]))
          return {
            level: 'refuse',
            note: `'http-check send ${rest[i]}' is planned (meth, uri, ver, hdr and body are supported)`,
          };
      return null;
    }
    if (sub === 'expect') return expectSupport(kind, rest, HTTP_EXPECT);
    if (sub === 'connect')
      return {
        level: 'warn',
        note: "the check connects to the server's address and port (or 'port'/'addr')",
      };
    return { level: 'warn', note: `'http-check ${sub}' is planned` };
  }
  if (sub === 'connect') {
    if (rest.length === 0 || (rest.length === 2 && rest[0] === 'port' && /^\d+$/.test(rest[1]))) return null;
    return { level: 'refuse', note: "only 'tcp-check connect [port N]' is supported" };
  }
  if (sub === 'send' || sub === 'send-binary')
    return rest.length === 1 ? null : { level: 'refuse', note: `'tcp-check ${sub}' takes one argument here` };
  if (sub === 'expect') return expectSupport(kind, rest, TCP_EXPECT);
  return { level: 'refuse', note: `'tcp-check ${sub}' is planned` };
}

function expectSupport(kind: string, rest: readonly string[], matches: Set<string>) {
  const i = rest[0] === '!' ? 1 : 0;
  const match = rest[i];
  if (!matches.has(match) || rest.length !== i + 2)
    return {
      level: 'refuse' as const,
      note: `'${kind} expect' supports [!] ${[...matches].join('|')} PATTERN without options for now`,
    };
  return null;
}

function regex(pattern: string, where: string): RegExp {
  try {
    return new RegExp(pattern);
  } catch (err) {
    throw new LbError(LB_ERR.CONFIG, `${where}: invalid regex '${pattern}': ${(err as Error).message}`, {
      cause: err,
    });
  }
}

function httpMethod(p: ModelProxy): CheckMethod {
  const chk = p.options.httpchk!;
  const legacy = chk.extra ? parseLegacyExtra(chk.extra) : { headers: [], body: '' };
  const req: HttpCheckRequest = {
    method: chk.method,
    uri: chk.uri,
    version: chk.version,
    headers: [...legacy.headers],
    body: legacy.body,
  };
  const expects: HttpExpect[] = [];
  for (const r of p.httpChecks) {
    if (checkRuleSupport('http-check', [r.kind, ...r.args]) !== null) continue;
    const where = `${r.file}:${r.line}`;
    if (r.kind === 'send') {
      for (let i = 0; i < r.args.length; ) {
        const w = r.args[i];
        if (w === 'hdr') {
          req.headers.push([r.args[i + 1], r.args[i + 2] ?? '']);
          i += 3;
          continue;
        }
        const v = r.args[i + 1] ?? '';
        if (w === 'meth') req.method = v;
        else if (w === 'uri') req.uri = v;
        else if (w === 'ver') req.version = v;
        else if (w === 'body') req.body = v;
        i += 2;
      }
    } else if (r.kind === 'expect') {
      const negate = r.args[0] === '!';
      const match = r.args[negate ? 1 : 0] as HttpExpect['match'];
      const pattern = r.args[negate ? 2 : 1];
      const e: HttpExpect = { match, negate, pattern };
      if (match === 'status') {
        const codes = parseStatusList(pattern);
        if (codes === null)
          throw new LbError(
            LB_ERR.CONFIG,
            `${where}: 'http-check expect status' expects status codes or ranges (e.g. 200 or 200-399), got '${pattern}'`,
          );
        e.codes = codes;
      } else if (match === 'rstatus' || match === 'rstring') e.regex = regex(pattern, where);
      expects.push(e);
    }
  }
  return { kind: 'http', request: buildHttpRequest(req), expects };
}

function unescapeHex(hex: string, where: string): Buffer {
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(hex))
    throw new LbError(LB_ERR.CONFIG, `${where}: expects an even number of hex digits, got '${hex}'`);
  return Buffer.from(hex, 'hex');
}

function tcpCheckMethod(p: ModelProxy): CheckMethod {
  const rules: TcpCheckRule[] = [];
  let step = 0;
  for (const r of p.tcpChecks) {
    step++;
    if (checkRuleSupport('tcp-check', [r.kind, ...r.args]) !== null) continue;
    const where = `${r.file}:${r.line}`;
    if (r.kind === 'connect')
      rules.push({ kind: 'connect', port: r.args[1] ? Number(r.args[1]) : null, step });
    else if (r.kind === 'send') rules.push({ kind: 'send', data: Buffer.from(r.args[0], 'latin1'), step });
    else if (r.kind === 'send-binary')
      rules.push({ kind: 'send', data: unescapeHex(r.args[0], where), step });
    else if (r.kind === 'expect') {
      const negate = r.args[0] === '!';
      const match = r.args[negate ? 1 : 0] as 'string' | 'rstring' | 'binary';
      const pattern = r.args[negate ? 2 : 1];
      rules.push({
        kind: 'expect',
        match,
        negate,
        pattern,
        bytes: match === 'binary' ? unescapeHex(pattern, where) : Buffer.from(pattern, 'latin1'),
        regex: match === 'rstring' ? regex(pattern, where) : null,
        step,
      });
    }
  }
  return rules.length === 0 ? { kind: 'tcp' } : { kind: 'tcp-check', rules };
}

/** The backend's check method and shared settings, or null when none of its servers is checked. */
export function backendChecks(p: ModelProxy): BackendCheckSpec | null {
  if (!p.servers.some((s) => s.check)) return null;
  const type = p.options.checkType;
  const method: CheckMethod =
    type === 'httpchk' && p.options.httpchk
      ? httpMethod(p)
      : type === 'tcp-check'
        ? tcpCheckMethod(p)
        : // the other check kinds (smtpchk, mysql-check, …) are reported as not applied: a TCP check runs
          { kind: 'tcp' };
  return {
    method,
    // 0 is "no timeout" in haproxy.cfg
    timeoutCheck: p.timeouts.check || null,
    timeoutConnect: p.timeouts.connect || null,
    logHealthChecks: p.options.logHealthChecks === true,
  };
}

/** `addr 10.0.0.1` / `addr 10.0.0.1:8080` / `addr [::1]:81` */
function checkAddr(addr: string, where: string): { host: string; port: number | null } {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(addr) ?? /^([^:]+)(?::(\d+))?$/.exec(addr);
  if (m) return { host: m[1], port: m[2] ? Number(m[2]) : null };
  if (addr.includes(':') && !addr.includes('.')) return { host: addr, port: null };
  throw new LbError(
    LB_ERR.CONFIG,
    `${where}: 'addr' expects an address (e.g. 10.0.0.1 or 10.0.0.1:8080), got '${addr}'`,
  );
}

export function serverCheck(s: ModelServer, proxy: string): ServerCheckSpec | null {
  if (!s.check) return null;
  const where = `backend '${proxy}': server '${s.name}' (${s.file}:${s.line})`;
  return {
    inter: s.inter,
    fastinter: s.fastinter > 0 ? s.fastinter : s.inter,
    downinter: s.downinter > 0 ? s.downinter : s.inter,
    rise: s.rise,
    fall: s.fall,
    port: s.port,
    addr: s.addr === null ? null : checkAddr(s.addr, where),
    observe: s.observe,
    errorLimit: s.errorLimit,
    onError: s.onError,
  };
}

export function checkGlobals(model: HaproxyConfig): CheckGlobals {
  const max = model.global.settings['max-spread-checks']?.[0];
  let maxSpreadChecks: number | null = null;
  if (max !== undefined) {
    const m = /^(\d+)(us|ms|s|m|h|d)?$/.exec(max);
    const unit = { us: 0.001, ms: 1, s: 1000, m: 60000, h: 3600000, d: 86400000 }[m?.[2] ?? 'ms'] ?? 1;
    if (m) maxSpreadChecks = Math.floor(Number(m[1]) * unit);
  }
  return { spreadChecks: model.global.spreadChecks, maxSpreadChecks };
}

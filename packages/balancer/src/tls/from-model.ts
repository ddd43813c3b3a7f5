/**
 * haproxy.cfg → TLS specs (tls-spec.ts). Certificate, CA and CRL files are read here, at load time, so
 * `-c`, start-up and a reload see the same files and a file that does not load is an [ALERT] naming
 * the configuration line, the file and why. Options combine as HAProxy's: the bind's own, else
 * `ssl-default-bind-*` from global (servers: `ssl-default-server-*`, `ssl-server-verify`).
 */
import { X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { HaproxyConfig, Server as ModelServer } from '@ha-lb/shared-config/haproxy';
import { LB_ERR, LbError, LineError } from '../errors.ts';
import type { BindTlsSpec, CertEntry, SecureVersion, ServerTlsSpec, VerifyMode } from './tls-spec.ts';

type Bind = HaproxyConfig['proxies'][number]['binds'][number];
type Opts = Record<string, string | boolean | number>;

const SIDE_FILES = /\.(key|ocsp|issuer|sctl|dh)$/;
const VERSIONS: Record<string, SecureVersion> = {
  'TLSv1.0': 'TLSv1',
  'TLSv1.1': 'TLSv1.1',
  'TLSv1.2': 'TLSv1.2',
  'TLSv1.3': 'TLSv1.3',
};
const ORDER: SecureVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
const NO_FLAGS: Record<string, SecureVersion> = {
  'no-tlsv10': 'TLSv1',
  'no-tlsv11': 'TLSv1.1',
  'no-tlsv12': 'TLSv1.2',
  'no-tlsv13': 'TLSv1.3',
};
const FORCE_FLAGS: Record<string, SecureVersion> = {
  'force-tlsv10': 'TLSv1',
  'force-tlsv11': 'TLSv1.1',
  'force-tlsv12': 'TLSv1.2',
  'force-tlsv13': 'TLSv1.3',
};
/** the `ssl-default-*-options` words this engine applies (the others stop start-up, see below) */
const DEFAULT_OPTION_FLAGS = new Set([
  ...Object.keys(NO_FLAGS),
  ...Object.keys(FORCE_FLAGS),
  'no-tls-tickets',
  'prefer-client-ciphers',
  'strict-sni',
]);

export interface TlsModelContext {
  model: HaproxyConfig;
  /** where relative file names resolve (HAProxy: the directory it runs in) */
  cwd: string;
  /** the bind's address as written on its line (HAProxy's messages quote it), when the loader knows it */
  bindText?: (file: string, line: number) => string | undefined;
}

/** Where a TLS setting was written: the line, and the subject HAProxy names (`'bind :443' in section 'frontend'`). */
export interface Where {
  file: string;
  line: number;
  subject: string;
}

function fail(where: Where, message: string): never {
  throw new LineError(LB_ERR.TLS, where.file, where.line, `${where.subject} : ${message}`);
}

function readOrFail(path: string, where: Where, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    return fail(
      where,
      `unable to load ${what} '${path}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`,
    );
  }
}

function pemBlocks(text: string, kind: RegExp): string[] {
  const out: string[] = [];
  const re = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) if (kind.test(m[1])) out.push(m[0]);
  return out;
}

/** The names a certificate answers when no crt-list filter says otherwise: its SAN DNS names and CNs. */
export function certificateNames(cert: X509Certificate): string[] {
  const names: string[] = [];
  for (const part of (cert.subjectAltName ?? '').split(', ')) {
    if (part.startsWith('DNS:')) names.push(part.slice(4).toLowerCase());
  }
  for (const line of cert.subject.split('\n')) {
    if (line.startsWith('CN=')) names.push(line.slice(3).toLowerCase());
  }
  return names;
}

/** One PEM certificate file (+ `F.key` when the key is not inside), read and checked. */
function loadPem(path: string, shown: string, where: Where, filters: string[] | null): CertEntry {
  const raw = readOrFail(path, where, 'certificate from file');
  const text = raw.toString('latin1');
  const certs = pemBlocks(text, /^(TRUSTED )?CERTIFICATE$/);
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(certs[0] ?? '');
  } catch {
    return fail(where, `unable to load certificate from file '${shown}'.`);
  }
  let key = pemBlocks(text, /PRIVATE KEY$/)[0];
  if (key === undefined) {
    let side = '';
    try {
      side = readFileSync(`${path}.key`, 'latin1');
    } catch {
      // no side file: reported below
    }
    key = pemBlocks(side, /PRIVATE KEY$/)[0];
  }
  if (key === undefined) return fail(where, `No Private Key found in '${shown}.key'.`);
  const neg = (filters ?? []).filter((f) => f.startsWith('!')).map((f) => f.slice(1).toLowerCase());
  const pos = (filters ?? []).filter((f) => !f.startsWith('!')).map((f) => f.toLowerCase());
  return {
    file: shown,
    where: `${where.file}:${where.line}`,
    cert: Buffer.from(certs.join('\n')),
    key: Buffer.from(key),
    names: pos.length > 0 ? pos : certificateNames(x509),
    negative: neg,
    alpn: null,
  };
}

/** `crt FILE|DIR`: a directory loads each file in it (sorted, as HAProxy's scandir) but side files. */
function loadCrt(path: string, shown: string, where: Where): CertEntry[] {
  let dir = false;
  try {
    dir = statSync(path).isDirectory();
  } catch {
    return fail(where, `unable to stat SSL certificate from file '${shown}' : No such file or directory.`);
  }
  if (!dir) return [loadPem(path, shown, where, null)];
  const out: CertEntry[] = [];
  for (const name of readdirSync(path).sort()) {
    if (name.startsWith('.') || SIDE_FILES.test(name)) continue;
    const full = join(path, name);
    try {
      if (!statSync(full).isFile()) continue;
    } catch {
      continue;
    }
    out.push(loadPem(full, join(shown, name), where, null));
  }
  return out;
}

/**
 * `crt-list FILE`: `CERT [[alpn LIST]] [[!]SNI …]` per line. Node applies ciphers, versions, curves
 * and client-certificate settings per listener, not per certificate, so a line that sets one of them
 * stops start-up rather than be silently served with the bind's.
 */
function loadCrtList(
  path: string,
  shown: string,
  where: Where,
  base: string | null,
  cwd: string,
): CertEntry[] {
  const text = readOrFail(path, where, 'crt-list').toString('utf8');
  const out: CertEntry[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    const at = `${shown}:${i + 1}`;
    const m = /^(\S+)\s*(?:\[([^\]]*)\])?\s*(.*)$/.exec(line);
    if (m === null) fail(where, `crt-list '${at}': cannot parse the line.`);
    const [, file, conf, rest] = m;
    let alpn: string[] | null = null;
    const words = (conf ?? '').trim().split(/\s+/).filter(Boolean);
    for (let w = 0; w < words.length; w++) {
      if (words[w] === 'alpn' && words[w + 1] !== undefined) {
        alpn = words[++w].split(',');
        continue;
      }
      fail(
        where,
        `crt-list '${at}': the per-certificate option '${words[w]}' is not supported (Node applies it per listener, not per certificate); write it on the 'bind' line instead.`,
      );
    }
    const filters = rest.split(/\s+/).filter((f) => f !== '' && f !== '*');
    const full = resolveFile(file, base, cwd);
    const inList: Where = { ...where, subject: `${where.subject} : 'crt-list'` };
    const st = statSync(full, { throwIfNoEntry: false });
    if (st === undefined)
      fail(inList, `unable to stat SSL certificate from file '${file}' : No such file or directory.`);
    const entries = st.isDirectory() ? loadCrt(full, file, inList) : [loadPem(full, file, inList, filters)];
    for (const e of entries) out.push({ ...e, where: at, alpn });
  }
  return out;
}

function resolveFile(file: string, base: string | null, cwd: string): string {
  if (isAbsolute(file)) return file;
  return resolve(cwd, base === null ? file : join(base, file));
}

/** `ssl-min-ver`/`ssl-max-ver`, `no-tlsvXX`, `force-tlsvXX` → one contiguous range, as HAProxy. */
function versionRange(
  o: Opts,
  defaults: Set<string>,
  where: Where,
): { min: SecureVersion; max: SecureVersion } {
  const has = (f: string) => o[f] === true || defaults.has(f);
  for (const f of ['force-sslv3', 'no-sslv3'])
    if (f === 'force-sslv3' && has(f))
      fail(where, "SSLv3 is not available (Node's OpenSSL has no SSLv3); remove 'force-sslv3'.");
  const minWord = typeof o['ssl-min-ver'] === 'string' ? o['ssl-min-ver'] : null;
  const maxWord = typeof o['ssl-max-ver'] === 'string' ? o['ssl-max-ver'] : null;
  if (minWord === 'SSLv3' || maxWord === 'SSLv3')
    fail(where, "SSLv3 is not available (Node's OpenSSL has no SSLv3); use 'TLSv1.0' or later.");
  for (const [flag, v] of Object.entries(FORCE_FLAGS)) if (has(flag)) return { min: v, max: v };
  let lo = ORDER.indexOf(minWord ? VERSIONS[minWord] : 'TLSv1.2');
  let hi = ORDER.indexOf(maxWord ? VERSIONS[maxWord] : 'TLSv1.3');
  const off = new Set(
    Object.entries(NO_FLAGS)
      .filter(([f]) => has(f))
      .map(([, v]) => ORDER.indexOf(v)),
  );
  while (lo <= hi && off.has(lo)) lo++;
  // HAProxy keeps the lowest contiguous run of enabled versions
  for (let v = lo; v <= hi; v++) if (off.has(v)) hi = v - 1;
  if (lo > hi) fail(where, 'all SSL/TLS versions are disabled.');
  return { min: ORDER[lo], max: ORDER[hi] };
}

function globalList(model: HaproxyConfig, key: string): string[] {
  return model.global.settings[key] ?? [];
}

function globalString(model: HaproxyConfig, key: string): string | null {
  const v = model.global.settings[key];
  return v && v.length > 0 ? v.join(' ') : null;
}

/** `ssl-default-bind-options` / `ssl-default-server-options` → the flags and the version words. */
function defaultOptions(model: HaproxyConfig, key: string): { flags: Set<string>; opts: Opts } {
  const words = globalList(model, key);
  const flags = new Set<string>();
  const opts: Opts = {};
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w === 'ssl-min-ver' || w === 'ssl-max-ver') {
      opts[w] = words[++i] ?? '';
      continue;
    }
    if (!DEFAULT_OPTION_FLAGS.has(w))
      throw new LbError(
        LB_ERR.TLS,
        `global '${key}': '${w}' is not implemented (the balancer applies ssl-min-ver, ssl-max-ver, no-tlsvXX, force-tlsvXX, no-tls-tickets, prefer-client-ciphers, strict-sni); remove it.`,
      );
    flags.add(w);
  }
  return { flags, opts };
}

function bindWhere(b: Bind, kind: string, address: string): Where {
  return { file: b.file, line: b.line, subject: `'bind ${address}' in section '${kind}'` };
}

/** The TLS side of a `bind … ssl` line; null for a clear-text bind. */
export function bindTlsOf(
  b: Bind,
  proxy: string,
  kind: string,
  address: string,
  ctx: TlsModelContext,
): BindTlsSpec | null {
  const o = b.options as Opts;
  if (o.ssl !== true) return null;
  const { model, cwd } = ctx;
  const written = ctx.bindText?.(b.file, b.line) ?? address;
  const where = bindWhere(b, kind, written);
  const defaults = defaultOptions(model, 'ssl-default-bind-options');
  const crtBase = model.global.crtBase;
  const caBase = model.global.caBase;
  const certs: CertEntry[] = [];
  if (typeof o.crt === 'string')
    for (const file of o.crt.split(',')) certs.push(...loadCrt(resolveFile(file, crtBase, cwd), file, where));
  if (typeof o['crt-list'] === 'string') {
    const file = o['crt-list'];
    certs.push(...loadCrtList(resolveFile(file, crtBase, cwd), file, where, crtBase, cwd));
  }
  if (certs.length === 0)
    fail(
      where,
      "'ssl' needs a certificate: add 'crt FILE|DIR' or 'crt-list FILE' (no certificate was loaded).",
    );
  const { min, max } = versionRange({ ...defaults.opts, ...o }, defaults.flags, where);
  const verify = (typeof o.verify === 'string' ? o.verify : 'none') as VerifyMode;
  const caFile = typeof o['ca-file'] === 'string' ? o['ca-file'] : null;
  if (verify !== 'none' && caFile === null) {
    // HAProxy's post-parse message, word for word; haproxy 2.6 prints it twice (the alert, then the
    // same text on a line of its own), recorded in test/check-haproxy.json
    const msg = `Proxy '${proxy}': verify is enabled but no CA file specified for bind '${written}' at [${b.file}:${b.line}].`;
    throw new LbError(LB_ERR.TLS, `${msg}\n${msg}`);
  }
  const crlFile = typeof o['crl-file'] === 'string' ? o['crl-file'] : null;
  return {
    certs,
    alpn: typeof o.alpn === 'string' ? o.alpn.split(',') : null,
    minVersion: min,
    maxVersion: max,
    ciphers: typeof o.ciphers === 'string' ? o.ciphers : globalString(model, 'ssl-default-bind-ciphers'),
    ciphersuites:
      typeof o.ciphersuites === 'string'
        ? o.ciphersuites
        : globalString(model, 'ssl-default-bind-ciphersuites'),
    curves: typeof o.curves === 'string' ? o.curves : globalString(model, 'ssl-default-bind-curves'),
    noTickets: o['no-tls-tickets'] === true || defaults.flags.has('no-tls-tickets'),
    preferClientCiphers: o['prefer-client-ciphers'] === true || defaults.flags.has('prefer-client-ciphers'),
    strictSni: o['strict-sni'] === true || defaults.flags.has('strict-sni'),
    verify,
    ca: caFile === null ? null : readOrFail(resolveFile(caFile, caBase, cwd), where, 'CA file'),
    crl: crlFile === null ? null : readOrFail(resolveFile(crlFile, caBase, cwd), where, 'CRL file'),
  };
}

/** The TLS side of a `server … ssl` line; null for a clear-text server. */
export function serverTlsOf(s: ModelServer, proxy: string, ctx: TlsModelContext): ServerTlsSpec | null {
  if (s.ssl !== true && s.checkSsl !== true) return null;
  const { model, cwd } = ctx;
  const where: Where = { file: s.file, line: s.line, subject: `'server ${proxy}/${s.name}'` };
  const other = s.other as Opts;
  const defaults = defaultOptions(model, 'ssl-default-server-options');
  const { min, max } = versionRange({ ...defaults.opts, ...other }, defaults.flags, where);
  const globalVerify = globalString(model, 'ssl-server-verify');
  const verify = s.verify ?? (globalVerify === 'none' ? 'none' : 'required');
  const caFile = typeof other['ca-file'] === 'string' ? other['ca-file'] : null;
  if (verify === 'required' && caFile === null)
    throw new LbError(
      LB_ERR.TLS,
      `[${s.file}:${s.line}] : ${where.subject} : ` +
        "verify is enabled by default but no CA file specified. If you're running on a LAN where you're certain to trust the server's certificate, please set an explicit 'verify none' statement on the 'server' line, or use 'ssl-server-verify none' in the global section to disable server-side verifications by default.",
    );
  const crlFile = typeof other['crl-file'] === 'string' ? other['crl-file'] : null;
  let cert: Buffer | null = null;
  let key: Buffer | null = null;
  if (typeof other.crt === 'string') {
    const e = loadPem(resolveFile(other.crt, model.global.crtBase, cwd), other.crt, where, null);
    cert = e.cert;
    key = e.key;
  }
  return {
    verify,
    ca: caFile === null ? null : readOrFail(resolveFile(caFile, model.global.caBase, cwd), where, 'CA file'),
    crl:
      crlFile === null ? null : readOrFail(resolveFile(crlFile, model.global.caBase, cwd), where, 'CRL file'),
    sni: sniOf(s.sni, where),
    verifyHost:
      typeof other.verifyhost === 'string' && other['no-verifyhost'] !== true ? other.verifyhost : null,
    alpn: typeof other.alpn === 'string' ? other.alpn.split(',') : null,
    minVersion: min,
    maxVersion: max,
    ciphers:
      typeof other.ciphers === 'string' ? other.ciphers : globalString(model, 'ssl-default-server-ciphers'),
    ciphersuites:
      typeof other.ciphersuites === 'string'
        ? other.ciphersuites
        : globalString(model, 'ssl-default-server-ciphersuites'),
    cert,
    key,
    reuse: other['no-ssl-reuse'] !== true,
    noTickets: other['no-tls-tickets'] === true || defaults.flags.has('no-tls-tickets'),
  };
}

/** `sni EXPR`: a constant `str(NAME)` is applied; an expression of the request needs the rule engine. */
function sniOf(expr: string | null, where: Where): string | null {
  if (expr === null) return null;
  const m = /^str\((.*)\)$/.exec(expr);
  if (m !== null) return m[1];
  return fail(
    where,
    `'sni ${expr}' is not implemented (only a constant 'sni str(NAME)' is; a sample of the request needs the rule engine); write 'sni str(NAME)'.`,
  );
}

/**
 * A server's ALPN list without `h2`, for its health checks: they speak HTTP/1.1 (HAProxy's would
 * speak HTTP/2 over an ALPN-negotiated h2; written down in the README).
 */
export function http1Only(list: string): string[] | null {
  const out = list.split(',').filter((p) => p !== 'h2');
  return out.length > 0 ? out : null;
}

/**
 * Value syntaxes of haproxy.cfg (configuration.txt §2.5 and the address/network rules of `bind`,
 * `server` and ACLs). Each parser returns a value or a message saying what is wrong and what to write.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { Address, Cidr } from './model.ts';
import { MAX_TIME_MS } from './model.ts';

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };
const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(error: string): Parsed<T> => ({ ok: false, error });

const TIME_UNITS_MS: Record<string, number> = {
  us: 0.001,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * A time in milliseconds. `unit` is the unit of a bare number (ms for timeouts; `s` for a few keywords).
 * Microseconds round up so that `1us` never becomes 0 (0 means "no timeout" in several places).
 */
export function parseTime(text: string, what: string, unit: 'ms' | 's' = 'ms'): Parsed<number> {
  const m = /^(\d+)(.*)$/.exec(text);
  if (!m) {
    if (text === '') return fail(`missing time value for '${what}' (write a time such as 10s)`);
    return fail(
      `unexpected character '${text[0]}' in '${what}' (write a number with an optional unit: us, ms, s, m, h, d)`,
    );
  }
  const suffix = m[2];
  let factor: number;
  if (suffix === '') factor = TIME_UNITS_MS[unit];
  else if (suffix in TIME_UNITS_MS) factor = TIME_UNITS_MS[suffix];
  else {
    // HAProxy reports the first unexpected character; we also say which units exist.
    const bad = suffix.length >= 2 && suffix[0] === 'm' && suffix[1] !== 's' ? suffix[1] : suffix[0];
    return fail(`unexpected character '${bad}' in '${what}' (units are us, ms, s, m, h, d; e.g. '${m[1]}s')`);
  }
  const ms = Math.ceil(Number(m[1]) * factor);
  if (!Number.isSafeInteger(ms) || ms > MAX_TIME_MS) {
    return fail(
      `timer overflow in argument '${text}' to '${what}' (maximum value is ${MAX_TIME_MS} ms, ~24.8 days)`,
    );
  }
  return ok(ms);
}

/** A size in bytes with an optional k/m/g suffix (powers of 1024, any case). */
export function parseSize(text: string, what: string): Parsed<number> {
  const m = /^(\d+)([kKmMgG]?)$/.exec(text);
  if (!m) return fail(`'${what}' expects a size such as 16384, 16k, 1m or 1g, got '${text}'`);
  const factor = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2].toLowerCase()] ?? 1;
  const value = Number(m[1]) * factor;
  if (!Number.isSafeInteger(value) || value > 2 ** 31 - 1)
    return fail(`'${what}': size '${text}' is too large`);
  return ok(value);
}

/** A non-negative decimal integer within [min, max]. */
export function parseInteger(
  text: string | undefined,
  what: string,
  min = 0,
  max = 2 ** 31 - 1,
): Parsed<number> {
  if (text === undefined || text === '') return fail(`'${what}' expects an integer argument`);
  if (!/^-?\d+$/.test(text)) return fail(`'${what}' expects an integer argument, got '${text}'`);
  const n = Number(text);
  if (n < min || n > max)
    return fail(`'${what}' expects an integer between ${min} and ${max}, got '${text}'`);
  return ok(n);
}

function parsePort(text: string, what: string): Parsed<number> {
  if (!/^\d+$/.test(text) || Number(text) > 65535) return fail(`'${what}' : invalid port '${text}'`);
  return ok(Number(text));
}

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9_]([A-Za-z0-9_-]{0,62})(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,62}))*\.?$/;

export interface AddressOptions {
  /** The keyword, for messages ('bind', 'server', 'log'). */
  what: string;
  /** `bind`: a port (or range) is mandatory for inet addresses. */
  portRequired?: boolean;
  /** `bind`: `80-90` allowed. */
  allowRange?: boolean;
  /** `server`: `+N`, `-N` or no port (same as the client's destination port). */
  allowPortOffset?: boolean;
  /** `log`: the port when none is given. */
  defaultPort?: number;
  /** `server`, `log`: a DNS name instead of an IP. */
  allowHostname?: boolean;
  /**
   * Environment for `$NAME`/`${NAME}` inside the address. HAProxy expands these in addresses even
   * outside double quotes (unset = empty), unlike in other words.
   */
  env?: NodeJS.ProcessEnv;
}

/** HAProxy's address-time expansion: `$NAME` and `${NAME}`, unset variables become empty. */
export function expandAddressEnv(text: string, env: NodeJS.ProcessEnv): string {
  if (!text.includes('$')) return text;
  return text.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (_, a, b) => env[a ?? b] ?? '',
  );
}

export interface ParsedAddress {
  address: Address;
  /** Only with allowPortOffset: the port offset (null = absolute port). */
  portOffset: number | null;
}

/**
 * One address of HAProxy's address syntax: `[family@]host[:port[-port]]`, `unix@PATH`, `/path`,
 * `fd@N`, with IPv6 either bracketed (`[::1]:80`) or bare, where the last colon starts the port
 * (`:::80`).
 */
export function parseAddress(text: string, opts: AddressOptions): Parsed<ParsedAddress> {
  const { what } = opts;
  let rest = opts.env ? expandAddressEnv(text, opts.env) : text;
  let family: 4 | 6 | null = null;
  const at = /^([a-z0-9]+)@/.exec(rest);
  if (at) {
    const prefix = at[1];
    rest = rest.slice(at[0].length);
    switch (prefix) {
      case 'unix':
      case 'abns':
        if (rest === '') return fail(`'${what}' : missing socket path after '${prefix}@'`);
        return ok({
          address: { kind: 'unix', path: prefix === 'abns' ? `@${rest}` : rest },
          portOffset: null,
        });
      case 'fd':
      case 'sockpair': {
        if (!/^\d+$/.test(rest))
          return fail(`'${what}' : '${prefix}@' expects a file descriptor number, got '${rest}'`);
        return ok({ address: { kind: 'fd', fd: Number(rest) }, portOffset: null });
      }
      case 'ipv4':
      case 'tcp4':
      case 'udp4':
      case 'quic4':
        family = 4;
        break;
      case 'ipv6':
      case 'tcp6':
      case 'udp6':
      case 'quic6':
        family = 6;
        break;
      case 'tcp':
      case 'udp':
      case 'quic':
        break;
      default:
        return fail(
          `'${what}' : unknown address family '${prefix}@' in '${text}' (use ipv4@, ipv6@, unix@, abns@, fd@, tcp@, udp@)`,
        );
    }
  } else if (rest.startsWith('/')) {
    return ok({ address: { kind: 'unix', path: rest }, portOffset: null });
  }

  let host: string;
  let portText: string | null;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) return fail(`'${what}' : missing ']' in address '${text}'`);
    host = rest.slice(1, close);
    const after = rest.slice(close + 1);
    if (after !== '' && !after.startsWith(':'))
      return fail(`'${what}' : unexpected '${after}' after ']' in '${text}'`);
    portText = after === '' ? null : after.slice(1);
    if (!isIPv6(host)) return fail(`'${what}' : invalid IPv6 address '${host}' in '${text}'`);
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon < 0) {
      host = rest;
      portText = null;
    } else {
      host = rest.slice(0, colon);
      portText = rest.slice(colon + 1);
      // A bare IPv6 address without a port (`::1`): keep it whole when the "port" cannot be one.
      if (host.includes(':') && !isIPv6(host) && isIPv6(rest)) {
        host = rest;
        portText = null;
      }
    }
  }

  if (host === '*' || host === '') host = '';
  let hostname = false;
  if (host !== '') {
    if (isIPv4(host)) {
      if (family === 6) return fail(`'${what}' : '${host}' is not an IPv6 address but 'ipv6@' was given`);
      family = 4;
    } else if (isIPv6(host)) {
      if (family === 4) return fail(`'${what}' : '${host}' is not an IPv4 address but 'ipv4@' was given`);
      family = 6;
    } else if (opts.allowHostname && HOSTNAME.test(host) && !/^[\d.]+$/.test(host)) {
      hostname = true;
    } else {
      return fail(
        `'${what}' : invalid address '${host}' in '${text}' (expected an IPv4/IPv6 address or '*')`,
      );
    }
  }

  let portMin = 0;
  let portMax = 0;
  let portOffset: number | null = null;
  if (portText === null || portText === '') {
    if (opts.allowPortOffset) portOffset = 0;
    else if (opts.defaultPort !== undefined) portMin = portMax = opts.defaultPort;
    else if (opts.portRequired)
      return fail(`'${what}' : missing port number in '${text}' (write e.g. ${text}:80)`);
  } else if (opts.allowPortOffset && /^[+-]\d+$/.test(portText)) {
    portOffset = Number(portText);
    if (Math.abs(portOffset) > 65535) return fail(`'${what}' : invalid port offset '${portText}'`);
  } else {
    const range = /^(\d+)-(\d+)$/.exec(portText);
    if (range) {
      if (!opts.allowRange) return fail(`'${what}' : port ranges are not allowed here ('${portText}')`);
      const lo = parsePort(range[1], what);
      if (!lo.ok) return lo;
      const hi = parsePort(range[2], what);
      if (!hi.ok) return hi;
      if (lo.value > hi.value)
        return fail(`'${what}' : invalid port range '${portText}' (low port above high port)`);
      portMin = lo.value;
      portMax = hi.value;
    } else {
      const p = parsePort(portText, what);
      if (!p.ok) return p;
      portMin = portMax = p.value;
    }
    if (opts.portRequired && portMin === 0) return fail(`'${what}' : invalid port '${portText}'`);
  }
  return ok({
    address: { kind: 'inet', family, host, hostname, portMin, portMax },
    portOffset,
  });
}

function maskToPrefix(mask: string): number | null {
  const parts = mask.split('.').map(Number);
  const n = ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
  const prefix = 32 - Math.log2((~n >>> 0) + 1);
  return Number.isInteger(prefix) ? prefix : null;
}

/** `ADDR[/PREFIX]` or `IPv4/DOTTED.MASK`; a plain address is a host network (/32 or /128). */
export function parseCidr(text: string, what: string): Parsed<Cidr> {
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const maskText = slash < 0 ? null : text.slice(slash + 1);
  const family = isIPv4(address) ? 4 : isIPv6(address) ? 6 : null;
  const example = `write e.g. 10.0.0.0/8 or 2001:db8::/32`;
  if (family === null)
    return fail(`'${what}' expects <address>[/mask] as argument, got '${text}' (${example})`);
  const max = family === 4 ? 32 : 128;
  let prefix = max;
  if (maskText !== null) {
    if (/^\d+$/.test(maskText)) {
      prefix = Number(maskText);
    } else if (family === 4 && isIPv4(maskText)) {
      const p = maskToPrefix(maskText);
      if (p === null) return fail(`'${what}' : invalid netmask '${maskText}' in '${text}' (${example})`);
      prefix = p;
    } else {
      return fail(`'${what}' : invalid mask '${maskText}' in '${text}' (${example})`);
    }
    if (prefix > max)
      return fail(`'${what}' : invalid mask '/${maskText}' in '${text}' (IPv${family} allows 0 to ${max})`);
  }
  return ok({ family, address, prefix });
}

/** Octal permissions such as `660` or `0600`. */
export function parseOctal(text: string | undefined, what: string): Parsed<number> {
  if (text === undefined || !/^[0-7]{1,4}$/.test(text))
    return fail(`'${what}' expects octal permissions such as 0660`);
  return ok(Number.parseInt(text, 8));
}

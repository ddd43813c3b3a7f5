/**
 * The layer-6 fetches (configuration.txt §7.3.5): what the bytes a `mode tcp` client sent so far
 * say (RuleContext.payload, during `tcp-request content` inspection). A fetch whose bytes are not
 * all there yet sets `c.mayChange` (HAProxy's SMP_F_MAY_CHANGE), so a condition on it waits for more
 * data instead of failing, until the inspect delay ends (c.final). The TLS parsers follow HAProxy
 * 2.6's payload.c check for check, so the same bytes give the same answer (or none).
 */
import type { RuleContext } from '../context.ts';
import type { Sample } from '../sample.ts';
import type { EachFn, FetchDef } from './table.ts';

const EMPTY = Buffer.alloc(0);
const data = (c: RuleContext): Buffer => c.payload ?? EMPTY;
const resData = (c: RuleContext): Buffer => c.resPayload ?? EMPTY;
type Side = (c: RuleContext) => Buffer;

/** HAProxy's tune.bufsize: beyond it a payload fetch can never match */
const BUFSIZE = 16384;

function short(c: RuleContext): null {
  c.mayChange = true;
  return null;
}

function uintArg(a: string | undefined, what: string): number {
  if (a === undefined || !/^\d+$/.test(a))
    throw new Error(`${what} must be a positive integer, got '${a ?? ''}'`);
  return Number.parseInt(a, 10);
}

const lenDef = (data: Side): FetchDef => ({
  out: 'int',
  where: 'any',
  minArgs: 0,
  maxArgs: 0,
  one: () => (c) => {
    // what is there now: more may come (SMP_F_MAY_CHANGE always)
    c.mayChange = true;
    return data(c).length;
  },
});

const payloadDef = (data: Side): FetchDef => ({
  out: 'bin',
  where: 'any',
  minArgs: 2,
  maxArgs: 2,
  one(args) {
    const off = uintArg(args[0], 'payload offset');
    const len = uintArg(args[1], 'payload length');
    return (c) => {
      if (len > BUFSIZE || off + len > BUFSIZE) return null;
      const d = data(c);
      if (off + len > d.length) return short(c);
      // length 0: everything from the offset on, which more data extends
      if (len === 0) c.mayChange = true;
      return d.toString('latin1', off, len === 0 ? d.length : off + len);
    };
  },
});

const payloadLvDef = (data: Side): FetchDef => ({
  out: 'bin',
  where: 'any',
  minArgs: 2,
  maxArgs: 3,
  one(args) {
    const lenOff = uintArg(args[0], 'payload offset1');
    const lenSize = uintArg(args[1], 'payload length');
    if (lenSize === 0) throw new Error('payload length must be > 0');
    let off2: number | null = null;
    let relative = false;
    if (args[2] !== undefined && args[2] !== '') {
      if (!/^[+-]?\d+$/.test(args[2])) throw new Error('payload offset2 is not a number');
      relative = args[2][0] === '+' || args[2][0] === '-';
      off2 = Number.parseInt(args[2], 10);
      if (lenOff + lenSize + off2 < 0) throw new Error('payload offset2 too negative');
    }
    return (c) => {
      const d = data(c);
      if (lenOff + lenSize > d.length) return short(c);
      let size = 0;
      for (let i = 0; i < lenSize; i++) size = size * 256 + d[lenOff + i];
      let at = lenOff + lenSize;
      if (off2 !== null) at = relative ? at + off2 : off2;
      if (size === 0 || size > BUFSIZE || at + size > BUFSIZE) return null;
      if (at + size > d.length) return short(c);
      return d.toString('latin1', at, at + size);
    };
  },
});

const waitEndDef: FetchDef = {
  out: 'bool',
  where: 'any',
  minArgs: 0,
  maxArgs: 0,
  one: () => (c) => (c.final ? true : short(c)),
};

/** Not a TLS ClientHello (or not the part asked for): no sample, and waiting does not help. */
const NOT = -1;
/** Too few bytes yet to say. */
const SHORT = -2;
/** A complete hello without the extension asked for. */
const NONE = -3;

/**
 * The offset of the first extension of a complete ClientHello in `d` and the end of the extension
 * list, as payload.c walks it; NOT or SHORT otherwise.
 */
function helloExtensions(d: Buffer, out: { end: number }): number {
  let left = d.length;
  if (left === 0) return SHORT;
  if (d[0] !== 0x16) return NOT;
  if (left < 3) return SHORT;
  if (d[1] < 0x03) return NOT;
  if (left < 5) return SHORT;
  let hsLen = (d[3] << 8) + d[4];
  if (hsLen < 1 + 3 + 2 + 32 + 1 + 2 + 2 + 1 + 1 + 2 + 2) return NOT;
  let p = 5;
  left -= 5;
  if (left < 1) return SHORT;
  if (d[p] !== 0x01) return NOT;
  if (left < 4) return SHORT;
  hsLen = (d[p + 1] << 16) + (d[p + 2] << 8) + d[p + 3];
  if (hsLen < 2 + 32 + 1 + 2 + 2 + 1 + 1 + 2 + 2) return NOT;
  // HAProxy compares with the bytes after the record header, the handshake header included
  if (left < hsLen) return SHORT;
  p += 4;
  if (p + 35 > d.length) return SHORT;
  if (d[p] < 0x03 || d[p + 1] < 0x01) return NOT;
  let ext = d[p + 34];
  if (ext > 32 || ext > hsLen - 35) return NOT;
  hsLen -= 35 + ext;
  p += 35 + ext;
  if (p + 2 > d.length) return SHORT;
  if (hsLen < 4) return NOT;
  ext = (d[p] << 8) + d[p + 1];
  if (ext < 2 || ext > hsLen) return NOT;
  hsLen -= 2 + ext;
  p += 2 + ext;
  if (p + 1 > d.length) return SHORT;
  if (hsLen < 2 || d[p] < 1 || d[p] > hsLen) return NOT;
  hsLen -= 1 + d[p];
  p += 1 + d[p];
  if (p + 2 > d.length) return SHORT;
  if (hsLen < 2) return NOT;
  ext = (d[p] << 8) + d[p + 1];
  if (ext > hsLen - 2) return NOT;
  p += 2;
  out.end = p + ext;
  if (out.end > d.length) return SHORT;
  return p;
}

const walk = { end: 0 };

/**
 * Visits each extension of the ClientHello: `visit(type, offset of its body, length)` returns a
 * result to stop with, or undefined to go on. NOT/SHORT when there is no complete hello.
 */
function eachExtension(
  d: Buffer,
  visit: (type: number, at: number, len: number, left: number) => number | undefined,
): number {
  let p = helloExtensions(d, walk);
  if (p < 0) return p;
  let left = walk.end - p;
  while (left >= 4) {
    const type = (d[p] << 8) + d[p + 1];
    const len = (d[p + 2] << 8) + d[p + 3];
    if (len > left - 4) return NOT;
    const r = visit(type, p + 4, len, left);
    if (r !== undefined) return r;
    left -= 4 + len;
    p += 4 + len;
  }
  return NONE;
}

/** A result of a TLS fetch: a value, or null with c.mayChange set when the hello is incomplete. */
function tlsResult(c: RuleContext, r: number, value: () => Sample): Sample {
  if (r === SHORT) return short(c);
  if (r < 0) return null;
  return value();
}

const sniDef: FetchDef = {
  out: 'str',
  where: 'any',
  minArgs: 0,
  maxArgs: 0,
  one: () => (c) => {
    const d = data(c);
    let at = 0;
    let len = 0;
    const r = eachExtension(d, (type, body, elen, left) => {
      if (type !== 0) return undefined;
      if (elen < 2) return NOT;
      const listLen = (d[body] << 8) + d[body + 1];
      if (listLen < 4 || listLen > left - 6) return NOT;
      if (d[body + 2] !== 0) return undefined;
      at = body + 5;
      len = (d[body + 3] << 8) + d[body + 4];
      return 0;
    });
    return tlsResult(c, r, () => d.toString('latin1', at, at + len));
  },
};

/** The ALPN protocols offered (every one, in order: an ACL matches any). */
function alpnEach(c: RuleContext, visit: (v: Sample) => boolean): boolean {
  const d = data(c);
  let hit = false;
  const r = eachExtension(d, (type, body, elen) => {
    if (type !== 16) return undefined;
    if (elen < 3) return NOT;
    // payload.c's cursor starts after the list length, 2 bytes into the body
    for (let off = 2; ; ) {
      const nameLen = d[body + off];
      if (nameLen + off + 1 > elen) return NOT;
      if (visit(d.toString('latin1', body + off + 1, body + off + 1 + nameLen))) {
        hit = true;
        return 0;
      }
      if (nameLen + off + 1 >= elen) return 0;
      off += nameLen + 1;
    }
  });
  if (r === SHORT) c.mayChange = true;
  return hit;
}

const alpnDef: FetchDef = {
  out: 'str',
  where: 'any',
  minArgs: 0,
  maxArgs: 0,
  one: () => {
    let first: Sample = null;
    const take = (v: Sample) => {
      first = v;
      return true;
    };
    return (c) => {
      first = null;
      alpnEach(c, take);
      return first;
    };
  },
  each: (): EachFn => alpnEach,
};

const ecExtDef: FetchDef = {
  out: 'bool',
  where: 'any',
  minArgs: 0,
  maxArgs: 0,
  one: () => (c) => {
    const r = eachExtension(data(c), (type) => (type === 10 ? 0 : undefined));
    return tlsResult(c, r, () => true);
  },
};

const stExtDef: FetchDef = {
  out: 'int',
  where: 'any',
  minArgs: 0,
  maxArgs: 0,
  one: () => (c) => {
    let v = 0;
    const r = eachExtension(data(c), (type, _body, len) => {
      if (type !== 35) return undefined;
      v = len > 0 ? 2 : 1;
      return 0;
    });
    // a complete hello without the SessionTicket extension: 0
    return r === NONE ? 0 : tlsResult(c, r, () => v);
  },
};

const helloTypeDef: FetchDef = {
  out: 'int',
  where: 'any',
  minArgs: 0,
  maxArgs: 0,
  one: () => (c) => {
    const d = data(c);
    if (d.length === 0) return short(c);
    if (!((d[0] >= 0x14 && d[0] <= 0x17) || d[0] === 0xff)) return null;
    if (d.length < 9) return short(c);
    if ((d[1] << 16) + d[2] < 0x30000) return null;
    if ((d[3] << 8) + d[4] < 4) return null;
    const hsLen = (d[6] << 16) + (d[7] << 8) + d[8];
    if (d.length < 9 + hsLen) return short(c);
    return d[5];
  },
};

/** `req.ssl_ver`: the ClientHello's version as (major << 16) + minor (SSLv2 hellos too). */
const sslVerDef: FetchDef = {
  out: 'int',
  where: 'any',
  minArgs: 0,
  maxArgs: 0,
  // ACL patterns are dotted versions: `3.3`, `3.1:3.3`
  patternOf(p) {
    if (!/^(eq|ge|gt|le|lt)$/.test(p) && !/^(\d+(\.\d+)?)?(:(\d+(\.\d+)?)?)?$/.test(p))
      throw new Error(`'${p}' is not a dotted number`);
    return p.replace(/(\d+)(?:\.(\d+))?/g, (_m, a: string, b: string | undefined) =>
      String((Number(a) << 16) + Number(b ?? 0)),
    );
  },
  one: () => (c) => {
    const d = data(c);
    let left = d.length;
    if (left === 0) return short(c);
    let version: number;
    let msgLen: number;
    let p = 0;
    if ((d[0] >= 0x14 && d[0] <= 0x17) || d[0] === 0xff) {
      if (left < 11) return short(c);
      version = (d[1] << 16) + d[2];
      msgLen = (d[3] << 8) + d[4];
      if (version < 0x30000) return null;
      if (msgLen < 6 || msgLen > (1 << 14) + 2048) return null;
      left -= 5;
      p = 5;
      version = (d[p + 4] << 16) + d[p + 5];
    } else {
      let rlen: number;
      let plen: number;
      if (d[0] & 0x80) {
        if (left < 3) return short(c);
        rlen = ((d[0] & 0x7f) << 8) | d[1];
        plen = 0;
        left -= 2;
        p = 2;
      } else {
        if (left < 4) return short(c);
        rlen = ((d[0] & 0x3f) << 8) | d[1];
        plen = d[2];
        left -= 3;
        p = 3;
      }
      if (d[p] !== 0x01) return null;
      left--;
      p++;
      if (left < 8) return short(c);
      version = (d[p] << 16) + d[p + 1];
      const cilen = (d[p + 2] << 8) + d[p + 3];
      const silen = (d[p + 4] << 8) + d[p + 5];
      const chlen = (d[p + 6] << 8) + d[p + 7];
      left -= 8;
      if (cilen % 3 !== 0 || (silen && silen !== 16) || chlen < 16 || chlen > 32) return null;
      if (rlen !== 9 + cilen + silen + chlen) return null;
      msgLen = cilen + silen + chlen + plen;
    }
    if (msgLen > BUFSIZE - p) msgLen = BUFSIZE - p;
    if (left < msgLen) return short(c);
    return version;
  },
};

const reqLen = lenDef(data);
const reqPayload = payloadDef(data);
const reqPayloadLv = payloadLvDef(data);

/** The request's layer-6 fetches (tcp-request content). */
export const PAYLOAD_FETCHES: ReadonlyMap<string, FetchDef> = new Map([
  ['req.len', reqLen],
  ['req_len', reqLen],
  ['req.payload', reqPayload],
  ['payload', reqPayload],
  ['req.payload_lv', reqPayloadLv],
  ['payload_lv', reqPayloadLv],
  ['req.ssl_sni', sniDef],
  ['req_ssl_sni', sniDef],
  ['req.ssl_hello_type', helloTypeDef],
  ['req_ssl_hello_type', helloTypeDef],
  ['req.ssl_ver', sslVerDef],
  ['req_ssl_ver', sslVerDef],
  ['req.ssl_ec_ext', ecExtDef],
  ['req.ssl_st_ext', stExtDef],
  ['req.ssl_alpn', alpnDef],
  ['wait_end', waitEndDef],
]);

/** The response's (tcp-response content): the server's bytes. */
export const RES_PAYLOAD_FETCHES: ReadonlyMap<string, FetchDef> = new Map([
  ['res.len', lenDef(resData)],
  ['res.payload', payloadDef(resData)],
  ['res.payload_lv', payloadLvDef(resData)],
]);

/**
 * The strict HTTP/1.x head parser: pure, allocation-light. It walks the head bytes once, validates every
 * character, and records header positions as offsets (no per-header objects or strings), plus the framing
 * and connection facts the engine needs. Rules follow RFC 9112 and HAProxy 2.6 where the RFC leaves a
 * choice (see README "Strictness"). It never throws: failures come back as a `ParseError` reason.
 */

/** Why a head was rejected (a request gets 400, a response 502). */
export type ParseError =
  | 'bad-start-line'
  | 'bad-version'
  | 'bad-method'
  | 'bad-uri'
  | 'bad-status'
  | 'bad-header-name'
  | 'space-before-colon'
  | 'bad-header-value'
  | 'obs-fold'
  | 'too-many-headers'
  | 'bad-content-length'
  | 'differing-content-length'
  | 'bad-transfer-encoding'
  | 'te-not-only-chunked'
  | 'te-in-http10'
  | 'host-mismatch'
  | 'duplicate-host'
  | 'bare-cr';

// tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
const TCHAR = new Uint8Array(256);
for (let c = 0x30; c <= 0x39; c++) TCHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TCHAR[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TCHAR[c] = 1;
for (const ch of "!#$%&'*+-.^_`|~") TCHAR[ch.charCodeAt(0)] = 1;

// field-value bytes: HTAB, SP, VCHAR, obs-text. Everything else (CTLs, DEL, NUL, bare CR) is refused.
const VALUE = new Uint8Array(256);
VALUE[0x09] = 1;
for (let c = 0x20; c <= 0x7e; c++) VALUE[c] = 1;
for (let c = 0x80; c <= 0xff; c++) VALUE[c] = 1;

const lit = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const H_CONTENT_LENGTH = lit('content-length');
const H_TRANSFER_ENCODING = lit('transfer-encoding');
const H_CONNECTION = lit('connection');
const H_KEEP_ALIVE = lit('keep-alive');
const H_PROXY_CONNECTION = lit('proxy-connection');
const H_TE = lit('te');
const H_UPGRADE = lit('upgrade');
const H_EXPECT = lit('expect');
const H_HOST = lit('host');

/** Case-insensitive compare of buf[start,end) with a lower-case literal of letters, digits and '-'. */
export function eqLower(buf: Uint8Array, start: number, end: number, l: Uint8Array): boolean {
  if (end - start !== l.length) return false;
  for (let i = 0; i < l.length; i++) if ((buf[start + i] | 0x20) !== l[i]) return false;
  return true;
}

export interface HttpHead {
  isRequest: boolean;
  /** bytes of the whole head including the final empty line */
  headEnd: number;
  /** where the final empty line starts: extra headers are inserted here */
  lastLineStart: number;
  versionMinor: number;
  // request
  method: string;
  isHead: boolean;
  isConnect: boolean;
  uriStart: number;
  uriEnd: number;
  // response
  status: number;
  // headers: offsets [nameStart, nameEnd, valueStart, valueEnd, lineStart, lineEnd(after LF)] per header
  nHeaders: number;
  hdr: Int32Array;
  /** not 0 = drop this header when forwarding: 1 hop-by-hop (or CL overridden by TE), 2 named by Connection */
  drop: Uint8Array;
  dropCount: number;
  /** -1 when absent */
  contentLength: number;
  chunked: boolean;
  hasTransferEncoding: boolean;
  hasContentLength: boolean;
  connClose: boolean;
  connKeepAlive: boolean;
  connUpgrade: boolean;
  hasUpgrade: boolean;
  expectContinue: boolean;
  /** index of the first header whose name equals `watchName` (e.g. the forwardfor header), or -1 */
  watchIndex: number;
  /** false when the start line must be re-emitted (extra whitespace, version other than 1.0/1.1) */
  canonicalStart: boolean;
  startLineEnd: number;
  /** Content-Length was a list ("5, 5"): every CL line is dropped and the caller writes one */
  clRewrite: boolean;
  teOtherCodings: boolean;
  hostIndex: number;
  error: ParseError | null;
}

export function newHead(maxHeaders: number): HttpHead {
  return {
    isRequest: true,
    headEnd: 0,
    lastLineStart: 0,
    versionMinor: 1,
    method: '',
    isHead: false,
    isConnect: false,
    uriStart: 0,
    uriEnd: 0,
    status: 0,
    nHeaders: 0,
    hdr: new Int32Array((maxHeaders + 1) * 6),
    drop: new Uint8Array(maxHeaders + 1),
    dropCount: 0,
    contentLength: -1,
    chunked: false,
    hasTransferEncoding: false,
    hasContentLength: false,
    connClose: false,
    connKeepAlive: false,
    connUpgrade: false,
    hasUpgrade: false,
    expectContinue: false,
    watchIndex: -1,
    canonicalStart: true,
    startLineEnd: 0,
    clRewrite: false,
    teOtherCodings: false,
    hostIndex: -1,
    error: null,
  };
}

/**
 * Where the head ends (index after the empty line), or -1 if incomplete. Lines may end in CRLF or a
 * bare LF, as HAProxy accepts. `from` lets a caller resume a scan.
 */
export function findHeadEnd(buf: Buffer, from: number): number {
  let i = from > 3 ? from - 3 : 0;
  for (;;) {
    const lf = buf.indexOf(10, i);
    if (lf < 0) return -1;
    const n1 = buf[lf + 1];
    if (n1 === 10) return lf + 2;
    if (n1 === 13) {
      if (lf + 2 >= buf.length) return -1;
      if (buf[lf + 2] === 10) return lf + 3;
    } else if (n1 === undefined) return -1;
    i = lf + 1;
  }
}

function fail(h: HttpHead, e: ParseError): HttpHead {
  h.error = e;
  return h;
}

/** Parses the head in buf[0, headEnd). `watchName` is a lower-case header name to locate. */
export function parseHead(
  h: HttpHead,
  buf: Buffer,
  headEnd: number,
  isRequest: boolean,
  maxHeaders: number,
  watchName: Uint8Array | null,
): HttpHead {
  h.isRequest = isRequest;
  h.headEnd = headEnd;
  h.error = null;
  h.nHeaders = 0;
  h.dropCount = 0;
  h.contentLength = -1;
  h.chunked = false;
  h.hasTransferEncoding = false;
  h.hasContentLength = false;
  h.connClose = false;
  h.connKeepAlive = false;
  h.connUpgrade = false;
  h.hasUpgrade = false;
  h.expectContinue = false;
  h.watchIndex = -1;
  h.clRewrite = false;
  h.teOtherCodings = false;
  h.hostIndex = -1;
  h.isHead = false;
  h.isConnect = false;
  h.status = 0;

  // ---- start line
  let lf = buf.indexOf(10, 0);
  let lineEnd = lf > 0 && buf[lf - 1] === 13 ? lf - 1 : lf;
  let p = 0;
  h.canonicalStart = true;
  if (isRequest) {
    // request-line = method SP request-target SP HTTP-version, single SPs (RFC 9112 §3). HAProxy 2.6 also
    // takes runs of SP/HTAB; we are stricter here (see README "Strictness").
    while (p < lineEnd && TCHAR[buf[p]] === 1) p++;
    if (p === 0 || buf[p] !== 0x20) return fail(h, 'bad-method');
    h.method = buf.toString('latin1', 0, p);
    h.isHead = p === 4 && h.method === 'HEAD';
    h.isConnect = p === 7 && h.method === 'CONNECT';
    p++;
    h.uriStart = p;
    while (p < lineEnd) {
      const c = buf[p];
      if (c === 0x20) break;
      if (c < 0x21 || c > 0x7e) return fail(h, 'bad-uri');
      p++;
    }
    h.uriEnd = p;
    if (p === h.uriStart || p === lineEnd) return fail(h, p === h.uriStart ? 'bad-uri' : 'bad-version');
    p++;
    // HTTP-version = "HTTP/1." DIGIT; 1.0 stays 1.0, any other 1.x is spoken (and re-emitted) as 1.1
    const v = versionAt(buf, p, lineEnd);
    if (v < 0) return fail(h, 'bad-version');
    h.versionMinor = v === 10 ? 0 : 1;
    if (v !== 10 && v !== 11) h.canonicalStart = false;
  } else {
    const v = versionAt(buf, 0, 8);
    if (v < 0 || lineEnd < 12 || buf[8] !== 0x20) return fail(h, 'bad-version');
    h.versionMinor = v === 10 ? 0 : 1;
    if (v !== 10 && v !== 11) h.canonicalStart = false;
    const d0 = buf[9] - 0x30;
    const d1 = buf[10] - 0x30;
    const d2 = buf[11] - 0x30;
    if (d0 < 1 || d0 > 5 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) return fail(h, 'bad-status');
    h.status = d0 * 100 + d1 * 10 + d2;
    if (lineEnd > 12) {
      if (buf[12] !== 0x20) return fail(h, 'bad-status');
      for (p = 13; p < lineEnd; p++) if (VALUE[buf[p]] !== 1) return fail(h, 'bad-status');
    }
  }
  h.startLineEnd = lf + 1;

  // ---- header fields
  const hdr = h.hdr;
  const drop = h.drop;
  let clSeen = -1;
  let teIndexStart = -1;
  let otherConnTokens: string[] | null = null;
  let pos = lf + 1;
  for (;;) {
    lf = buf.indexOf(10, pos);
    lineEnd = buf[lf - 1] === 13 ? lf - 1 : lf;
    if (lineEnd === pos) {
      h.lastLineStart = pos;
      break;
    }
    const first = buf[pos];
    if (first === 0x20 || first === 0x09) return fail(h, 'obs-fold');
    let q = pos;
    while (q < lineEnd && TCHAR[buf[q]] === 1) q++;
    if (q === pos) return fail(h, 'bad-header-name');
    const c = buf[q];
    if (c !== 0x3a) return fail(h, c === 0x20 || c === 0x09 ? 'space-before-colon' : 'bad-header-name');
    const nameEnd = q;
    q++;
    while (q < lineEnd && (buf[q] === 0x20 || buf[q] === 0x09)) q++;
    const valueStart = q;
    for (; q < lineEnd; q++)
      if (VALUE[buf[q]] !== 1) return fail(h, buf[q] === 13 ? 'bare-cr' : 'bad-header-value');
    let valueEnd = lineEnd;
    while (valueEnd > valueStart && (buf[valueEnd - 1] === 0x20 || buf[valueEnd - 1] === 0x09)) valueEnd--;
    const n = h.nHeaders;
    // tune.http.maxhdr counts the start line too: 101 allows 100 header fields (HAProxy 2.6)
    if (n >= maxHeaders - 1) return fail(h, 'too-many-headers');
    const o = n * 6;
    hdr[o] = pos;
    hdr[o + 1] = nameEnd;
    hdr[o + 2] = valueStart;
    hdr[o + 3] = valueEnd;
    hdr[o + 4] = pos;
    hdr[o + 5] = lf + 1;
    drop[n] = 0;
    h.nHeaders = n + 1;

    const nameLen = nameEnd - pos;
    switch (nameLen) {
      case 2:
        if (eqLower(buf, pos, nameEnd, H_TE)) markDrop(h, n);
        break;
      case 4:
        if (isRequest && eqLower(buf, pos, nameEnd, H_HOST)) {
          if (h.hostIndex >= 0) return fail(h, 'duplicate-host');
          h.hostIndex = n;
        }
        break;
      case 6:
        if (eqLower(buf, pos, nameEnd, H_EXPECT)) {
          // Expect: 100-continue (case-insensitive); other expectations are passed on.
          if (
            valueEnd - valueStart === 12 &&
            buf.toString('latin1', valueStart, valueEnd).toLowerCase() === '100-continue'
          )
            h.expectContinue = true;
        }
        break;
      case 7:
        if (eqLower(buf, pos, nameEnd, H_UPGRADE)) {
          h.hasUpgrade = true;
          markDrop(h, n);
        }
        break;
      case 10:
        if (eqLower(buf, pos, nameEnd, H_CONNECTION)) {
          markDrop(h, n);
          otherConnTokens = connectionTokens(h, buf, valueStart, valueEnd, otherConnTokens);
        } else if (eqLower(buf, pos, nameEnd, H_KEEP_ALIVE)) markDrop(h, n);
        break;
      case 14:
        if (eqLower(buf, pos, nameEnd, H_CONTENT_LENGTH)) {
          const v = parseContentLength(buf, valueStart, valueEnd);
          if (v < 0) return fail(h, 'bad-content-length');
          if (clSeen >= 0 && clSeen !== v) return fail(h, 'differing-content-length');
          clSeen = v;
          if (buf.indexOf(0x2c, valueStart) >= 0 && buf.indexOf(0x2c, valueStart) < valueEnd)
            h.clRewrite = true;
          if (h.hasContentLength) markDrop(h, n); // duplicates collapse into the first line
          h.hasContentLength = true;
        }
        break;
      case 16:
        if (eqLower(buf, pos, nameEnd, H_PROXY_CONNECTION)) markDrop(h, n);
        break;
      case 17:
        if (eqLower(buf, pos, nameEnd, H_TRANSFER_ENCODING)) {
          if (teIndexStart < 0) teIndexStart = n;
          const r = transferEncoding(buf, valueStart, valueEnd, h.chunked);
          if (r < 0) return fail(h, 'bad-transfer-encoding');
          if (r === 1 && (h.hasTransferEncoding || !onlyChunked(buf, valueStart, valueEnd)))
            h.teOtherCodings = true;
          h.chunked = r === 1;
          h.hasTransferEncoding = true;
        }
        break;
    }
    if (watchName !== null && h.watchIndex < 0 && eqLower(buf, pos, nameEnd, watchName)) h.watchIndex = n;
    pos = lf + 1;
  }

  if (h.hasTransferEncoding) {
    // Transfer-Encoding whose last coding is not chunked: a request cannot be framed (400), and HAProxy 2.6
    // refuses such responses too (502) rather than reading them to close.
    if (!h.chunked) return fail(h, 'bad-transfer-encoding');
    // HAProxy 2.6 only accepts "chunked" alone in a request; other codings before it get 422
    if (isRequest && h.teOtherCodings) return fail(h, 'te-not-only-chunked');
    // RFC 9112 §6.1: TE in HTTP/1.0 means faulty framing; HAProxy forwards and closes, we refuse
    if (isRequest && h.versionMinor === 0) return fail(h, 'te-in-http10');
    if (h.hasContentLength) {
      // TE wins; Content-Length is removed, and the caller closes after the exchange (smuggling guard).
      for (let i = 0; i < h.nHeaders; i++)
        if (drop[i] === 0 && eqLower(buf, hdr[i * 6], hdr[i * 6 + 1], H_CONTENT_LENGTH)) markDrop(h, i);
    }
  } else if (h.hasContentLength) {
    h.contentLength = clSeen;
    if (h.clRewrite)
      for (let i = 0; i < h.nHeaders; i++)
        if (drop[i] === 0 && eqLower(buf, hdr[i * 6], hdr[i * 6 + 1], H_CONTENT_LENGTH)) markDrop(h, i);
  }

  if (isRequest && h.hostIndex >= 0 && !h.isConnect) {
    // absolute-form: the authority must be the Host header's value (HAProxy 2.6 answers 400 otherwise)
    const auth = absoluteAuthority(buf, h.uriStart, h.uriEnd);
    if (auth !== null) {
      const host = buf.toString('latin1', hdr[h.hostIndex * 6 + 2], hdr[h.hostIndex * 6 + 3]).toLowerCase();
      if (auth.toLowerCase() !== host) return fail(h, 'host-mismatch');
    }
  }

  if (otherConnTokens !== null) {
    // Headers named in Connection are hop-by-hop too (RFC 9110 §7.6.1).
    for (let i = 0; i < h.nHeaders; i++) {
      if (drop[i] === 1) continue;
      const name = buf.toString('latin1', hdr[i * 6], hdr[i * 6 + 1]).toLowerCase();
      if (otherConnTokens.includes(name)) {
        // (2: named by Connection — an HTTP/2 server gets these, as HAProxy sends them: head-edits.ts)
        h.drop[i] = 2;
        h.dropCount++;
      }
    }
  }
  return h;
}

const HTTP1 = Buffer.from('HTTP/1.');

/**
 * True when the bytes received so far (buf[0, len), no complete head yet) cannot start a valid request
 * line, so the client gets its 400 now instead of a 408 at `timeout http-request` — as HAProxy answers
 * a TLS ClientHello or other binary on a plain HTTP port. Only the request line is checked: the rules
 * are those of parseHead's, applied to a prefix.
 */
export function requestLinePrefixInvalid(buf: Uint8Array, len: number): boolean {
  let p = 0;
  while (p < len && TCHAR[buf[p]] === 1) p++;
  if (p === len) return false;
  if (p === 0 || buf[p] !== 0x20) return true;
  const uriStart = ++p;
  while (p < len && buf[p] !== 0x20) {
    if (buf[p] < 0x21 || buf[p] > 0x7e) return true;
    p++;
  }
  if (p === len) return false;
  if (p === uriStart) return true;
  p++;
  for (let i = 0; i < HTTP1.length && p < len; i++, p++) if (buf[p] !== HTTP1[i]) return true;
  if (p === len) return false;
  if (buf[p] < 0x30 || buf[p] > 0x39) return true;
  p++;
  if (p === len) return false;
  return buf[p] !== 13 && buf[p] !== 10;
}

/** "HTTP/" DIGIT "." DIGIT at buf[p, end) (exactly 8 bytes), as major*10+minor; -1 when not. */
function versionAt(buf: Buffer, p: number, end: number): number {
  if (
    end - p !== 8 ||
    buf[p] !== 0x48 ||
    buf[p + 1] !== 0x54 ||
    buf[p + 2] !== 0x54 ||
    buf[p + 3] !== 0x50 ||
    buf[p + 4] !== 0x2f ||
    buf[p + 6] !== 0x2e
  )
    return -1;
  const major = buf[p + 5] - 0x30;
  const minor = buf[p + 7] - 0x30;
  if (major !== 1 || minor < 0 || minor > 9) return -1;
  return major * 10 + minor;
}

/** The value is exactly "chunked" (any case), nothing else. */
function onlyChunked(buf: Buffer, start: number, end: number): boolean {
  return end - start === 7 && buf.toString('latin1', start, end).toLowerCase() === 'chunked';
}

/** The authority of an absolute-form target (`scheme://authority/...`), or null for other forms. */
function absoluteAuthority(buf: Buffer, start: number, end: number): string | null {
  if (buf[start] === 0x2f || buf[start] === 0x2a) return null;
  const t = buf.toString('latin1', start, end);
  const m = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/([^/?#]*)/.exec(t);
  if (!m) return null;
  const at = m[1].lastIndexOf('@');
  return at >= 0 ? m[1].slice(at + 1) : m[1];
}

function markDrop(h: HttpHead, i: number): void {
  if (h.drop[i] === 0) {
    h.drop[i] = 1;
    h.dropCount++;
  }
}

/** Content-Length value: digits, or a list of identical values ("5, 5"). -1 when invalid. */
export function parseContentLength(buf: Uint8Array, start: number, end: number): number {
  let value = -1;
  let i = start;
  while (i <= end) {
    while (i < end && (buf[i] === 0x20 || buf[i] === 0x09)) i++;
    let v = 0;
    let digits = 0;
    while (i < end && buf[i] >= 0x30 && buf[i] <= 0x39) {
      v = v * 10 + (buf[i] - 0x30);
      digits++;
      i++;
    }
    if (digits === 0 || digits > 15) return -1;
    while (i < end && (buf[i] === 0x20 || buf[i] === 0x09)) i++;
    if (value >= 0 && v !== value) return -1;
    value = v;
    if (i === end) return value;
    if (buf[i] !== 0x2c) return -1;
    i++;
  }
  return value;
}

/**
 * Checks one Transfer-Encoding field value (continuing across repeated fields: `chunkedSoFar` says the
 * previous last coding was chunked). Returns 1 if the last coding is chunked, 0 if not, -1 if invalid
 * (bad token, or chunked applied more than once).
 */
export function transferEncoding(buf: Buffer, start: number, end: number, chunkedSoFar: boolean): number {
  let chunked = chunkedSoFar;
  let i = start;
  let any = false;
  while (i < end) {
    while (i < end && (buf[i] === 0x20 || buf[i] === 0x09 || buf[i] === 0x2c)) i++;
    if (i >= end) break;
    const s = i;
    while (i < end && TCHAR[buf[i]] === 1) i++;
    if (i === s) return -1;
    const isChunked = i - s === 7 && buf.toString('latin1', s, i).toLowerCase() === 'chunked';
    if (chunked) return -1; // something after chunked, or chunked twice
    chunked = isChunked;
    any = true;
    // transfer-parameters: skip to the next comma, refusing control characters
    while (i < end && buf[i] !== 0x2c) {
      if (VALUE[buf[i]] !== 1) return -1;
      i++;
    }
  }
  if (!any) return -1;
  return chunked ? 1 : 0;
}

function connectionTokens(
  h: HttpHead,
  buf: Buffer,
  start: number,
  end: number,
  others: string[] | null,
): string[] | null {
  let i = start;
  while (i < end) {
    while (i < end && (buf[i] === 0x20 || buf[i] === 0x09 || buf[i] === 0x2c)) i++;
    const s = i;
    while (i < end && buf[i] !== 0x2c && buf[i] !== 0x20 && buf[i] !== 0x09) i++;
    if (i === s) continue;
    const tok = buf.toString('latin1', s, i).toLowerCase();
    if (tok === 'close') h.connClose = true;
    else if (tok === 'keep-alive') h.connKeepAlive = true;
    else if (tok === 'upgrade') h.connUpgrade = true;
    else {
      if (others === null) others = [];
      others.push(tok);
    }
  }
  return others;
}

/** The value of header i as a string (for the rare cases that need it). */
export function headerValue(h: HttpHead, buf: Buffer, i: number): string {
  return buf.toString('latin1', h.hdr[i * 6 + 2], h.hdr[i * 6 + 3]);
}

export function headerName(h: HttpHead, buf: Buffer, i: number): string {
  return buf.toString('latin1', h.hdr[i * 6], h.hdr[i * 6 + 1]);
}

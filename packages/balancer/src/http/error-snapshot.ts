/**
 * What `show errors` shows of an invalid request, as HAProxy 2.6 captures it (recorded in
 * test/stats/show-errors-expected.json): the bytes received, where the parser stopped and in which of
 * its states (`MSG_RQMETH`, `MSG_RQURI`, `MSG_RQVER`, `MSG_HDR_NAME`, `MSG_HDR_L2_LWS`), its message
 * flags, and the dump of the bytes line by line. The head parser (head-parser.ts) only says what was
 * wrong; locateRequestError() scans the head again, off the data path, the way HAProxy's h1 parser
 * walks it, to find the byte and the state.
 */
import type { ParseError } from './head-parser.ts';

const TCHAR = new Uint8Array(256);
for (const ch of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
  TCHAR[ch.charCodeAt(0)] = 1;

/** HAProxy's h1m_state numbers for the states a request error can stop in. */
const STATES: Readonly<Record<string, number>> = {
  MSG_RQBEFORE: 0,
  MSG_RQMETH: 2,
  MSG_RQURI: 4,
  MSG_RQVER: 6,
  MSG_RQLINE_END: 7,
  MSG_HDR_NAME: 17,
  MSG_HDR_L2_LWS: 24,
};

/** H1_MF_* bits HAProxy has set by then: a request (0x1400), HTTP/1.1 seen (0x10), a length (0x1). */
const MF_REQUEST = 0x1400;
const MF_VER_11 = 0x10;
const MF_CLEN = 0x01;

export interface RequestErrorAt {
  /** offset of the byte the parser stopped at */
  pos: number;
  state: string;
  stateNum: number;
  msgFlags: number;
  /** the Content-Length parsed before the error (HAProxy's chunk len and body len) */
  bodyLen: number;
}

const at = (pos: number, state: string, msgFlags: number, bodyLen = 0): RequestErrorAt => ({
  pos,
  state,
  stateNum: STATES[state],
  msgFlags,
  bodyLen,
});

const isEol = (c: number | undefined) => c === 13 || c === 10;

/** Finds where HAProxy's parser stops on the invalid head `b[0, end)` (the error the head parser found). */
export function locateRequestError(b: Buffer, end: number, _error: ParseError): RequestErrorAt {
  let i = 0;
  const isSpHt = (c: number | undefined) => c === 0x20 || c === 0x09;
  while (i < end && TCHAR[b[i]]) i++;
  if (!isSpHt(b[i]) || i === 0) return at(i, 'MSG_RQMETH', MF_REQUEST);
  while (isSpHt(b[i])) i++;
  // the URI ends at a space or a tab; any other control character stops it
  while (i < end && b[i] > 0x20 && b[i] !== 0x7f) i++;
  if (!isSpHt(b[i])) return at(i, isEol(b[i]) ? 'MSG_RQVER' : 'MSG_RQURI', MF_REQUEST);
  i++;
  while (b[i] === 0x20) i++;
  const vs = i;
  const shape = 'HTTP/d.d';
  for (let k = 0; k < shape.length; k++, i++) {
    const c = b[i];
    const ok = shape[k] === 'd' ? c >= 0x30 && c <= 0x39 : c === shape.charCodeAt(k);
    if (!ok) return at(i, 'MSG_RQVER', MF_REQUEST);
  }
  if (b[i] === 13) i++;
  if (b[i] !== 10) return at(i, 'MSG_RQVER', MF_REQUEST);
  i++;
  const ver11 = b[vs + 5] === 0x31 && b[vs + 7] >= 0x31;
  let flags = MF_REQUEST | (ver11 ? MF_VER_11 : 0);
  let clen = -1;
  while (i < end && !isEol(b[i])) {
    const ls = i;
    while (i < end && TCHAR[b[i]]) i++;
    if (b[i] !== 0x3a || i === ls) return at(i, 'MSG_HDR_NAME', flags, Math.max(clen, 0));
    const name = b.toString('latin1', ls, i).toLowerCase();
    i++;
    while (b[i] === 0x20 || b[i] === 0x09) i++;
    const vs2 = i;
    while (i < end && !isEol(b[i])) i++;
    let ve = i;
    while (ve > vs2 && (b[ve - 1] === 0x20 || b[ve - 1] === 0x09)) ve--;
    if (b[i] === 13) i++;
    i++;
    if (name === 'content-length') {
      const parts = b.toString('latin1', vs2, ve).split(',');
      const n = parts.map((p) => (/^[ \t]*\d+[ \t]*$/.test(p) ? Number(p) : Number.NaN));
      if (n.some((x) => Number.isNaN(x) || x !== n[0]) || (clen >= 0 && n[0] !== clen))
        return at(vs2, 'MSG_HDR_L2_LWS', flags, Math.max(clen, 0));
      clen = n[0];
      flags |= MF_CLEN;
    }
  }
  // an error the scan above does not place (after the headers: Host, Transfer-Encoding, …)
  return at(i, 'MSG_HDR_L2_LWS', flags, Math.max(clen, 0));
}

/** HAProxy's dump_text_line(): one line of the capture, `  OFFSET  text` with escapes, ≤ 80 columns. */
export function dumpText(b: Buffer): string {
  let out = '';
  let ptr = 0;
  let lineStart = 0;
  while (ptr < b.length) {
    let line = `  ${String(ptr).padStart(5, '0')}${ptr === lineStart ? ' ' : '+'} `;
    const end = 80;
    let newline = false;
    while (ptr < b.length) {
      const c = b[ptr];
      let piece: string;
      if (c >= 0x20 && c < 0x7f && c !== 0x5c) piece = String.fromCharCode(c);
      else if (c === 9) piece = '\\t';
      else if (c === 10) piece = '\\n';
      else if (c === 13) piece = '\\r';
      else if (c === 27) piece = '\\e';
      else if (c === 0x5c) piece = '\\\\';
      else piece = `\\x${c.toString(16).toUpperCase().padStart(2, '0')}`;
      // HAProxy stops when the next escape would not fit (end - 2, - 3, - 5)
      if (line.length > end - (piece.length + 1)) break;
      line += piece;
      ptr++;
      if (c === 10) {
        newline = true;
        break;
      }
    }
    out += `${line}\n`;
    if (newline) lineStart = ptr;
  }
  return out;
}

/**
 * `balance url_param <name> [check_post]`: the value of query parameter <name> (backend.c
 * get_server_ph). For a POST whose query string lacks it, HAProxy 2.6 also looks in the start of the
 * body (get_server_ph_post), whatever `check_post` says; here, in the body bytes that arrived with the
 * head of a Content-Length request (a chunked body is not searched). No parameter: round-robin.
 */
import type { PickContext } from './algorithm.ts';
import { hashAlgorithm } from './hash-based.ts';
import type { HashFunction } from './hash-functions.ts';

const AMP = 0x26;
const EQ = 0x3d;
const QUESTION = 0x3f;

// HTTP token characters (tchar) and linear white space, as HAProxy's HTTP_IS_TOKEN / HTTP_IS_LWS
const TOKEN = new Uint8Array(256);
for (const ch of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
  TOKEN[ch.charCodeAt(0)] = 1;
const isLws = (c: number) => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;

function indexOf(buf: Uint8Array, byte: number, from: number, end: number): number {
  for (let i = from; i < end; i++) if (buf[i] === byte) return i;
  return -1;
}

function nameAt(buf: Uint8Array, at: number, name: Uint8Array): boolean {
  for (let i = 0; i < name.length; i++) if (buf[at + i] !== name[i]) return false;
  return true;
}

/** The parameter's hash in buf[from, end) ("a=1&b=2"), or null. `body`: the POST rules. */
function paramHash(
  buf: Uint8Array,
  from: number,
  end: number,
  name: Uint8Array,
  hash: HashFunction,
  body: boolean,
): number | null {
  const plen = name.length;
  let params = from;
  let len = end - from;
  while (len > plen) {
    if (buf[params + plen] === EQ && nameAt(buf, params, name)) {
      const start = params + plen + 1;
      let e = start;
      len -= plen + 1;
      while (len > 0 && buf[e] !== AMP) {
        // HAProxy checks the value's first byte here (not the current one): kept for the same choice
        if (body && !TOKEN[buf[start]]) {
          if (isLws(buf[start])) break;
          return null;
        }
        len--;
        e++;
      }
      return hash(buf, start, e);
    }
    const amp = indexOf(buf, AMP, params, params + len);
    if (amp < 0) return null;
    len -= amp + 1 - params;
    params = amp + 1;
  }
  return null;
}

export const urlParamHash = hashAlgorithm(
  'url_param',
  (opts) => {
    const param = opts.balance.algorithm === 'url_param' ? opts.balance.param : '';
    const name = Buffer.from(param, 'latin1');
    return (ctx: PickContext, hash) => {
      const r = ctx.request;
      if (r === null) return null;
      const { buf, head } = r;
      const q = indexOf(buf, QUESTION, head.uriStart, head.uriEnd);
      const h = q < 0 ? null : paramHash(buf, q + 1, head.uriEnd, name, hash, false);
      if (h !== null || head.method !== 'POST' || head.chunked) return h;
      return paramHash(buf, head.headEnd, r.bodyEnd, name, hash, true);
    };
  },
  false,
);

/**
 * The request's `Authorization` header as HAProxy's get_http_auth() reads it (http_fetch.c): the first
 * `Authorization` header, its scheme (any case), and for `Basic` the base64 `user:password` (the
 * password is everything after the first `:`). Anything else — no header, no `:`, an empty password
 * part is fine but no user is not — yields no user, and `http_auth` is false.
 */

export interface Credentials {
  /** the scheme as written (`Basic`, `Bearer`…), '' when there is no header */
  type: string;
  /** Basic only: null when absent or malformed */
  user: string | null;
  password: string | null;
}

export const NO_CREDENTIALS: Credentials = Object.freeze({ type: '', user: null, password: null });

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function parseAuthorization(value: string | null): Credentials {
  if (value === null) return NO_CREDENTIALS;
  const v = value.trim();
  const sp = v.search(/[ \t]/);
  const type = sp < 0 ? v : v.slice(0, sp);
  if (type.toLowerCase() !== 'basic' || sp < 0) return { type, user: null, password: null };
  const b64 = v.slice(sp).trim();
  if (b64 === '' || b64.length % 4 !== 0 || !BASE64.test(b64)) return { type, user: null, password: null };
  const text = Buffer.from(b64, 'base64').toString('latin1');
  const colon = text.indexOf(':');
  if (colon < 0) return { type, user: null, password: null };
  return { type, user: text.slice(0, colon), password: text.slice(colon + 1) };
}

/**
 * The dates HAProxy appends to a persistence cookie with `maxidle`/`maxlife`: `VALUE|LAST|FIRST`, each
 * date a UNIX time in 4-second units (30 bits) written as 5 characters of the base64 alphabet, most
 * significant first, no padding (HAProxy's `s30tob64()` / `b64tos30()`).
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const REVERSE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) REVERSE[ALPHABET.charCodeAt(i)] = i;

/** The delimiter between the server's value and each date. */
export const DATE_DELIM = '|';

/** The lower 30 bits of `v` as 5 characters. */
export function s30ToB64(v: number): string {
  let out = '';
  for (let shift = 24; shift >= 0; shift -= 6) out += ALPHABET[(v >>> shift) & 0x3f];
  return out;
}

/** Decodes 5 characters of `s` from `at`; -1 when one is not in the alphabet (or missing). */
export function b64ToS30(s: string, at = 0): number {
  if (s.length - at < 5) return -1;
  let out = 0;
  for (let i = at; i < at + 5; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? REVERSE[c] : -1;
    if (v < 0) return -1;
    out = out * 64 + v;
  }
  return out;
}

/** A date (UNIX seconds) as written in the cookie: rounded up to the next 4-second unit. */
export function encodeDate(unixSeconds: number): string {
  return s30ToB64(Math.floor((unixSeconds + 3) / 4));
}

/** A date field of the cookie back to UNIX seconds (a multiple of 4); 0 when absent or invalid. */
export function decodeDate(s: string, at: number): number {
  const v = b64ToS30(s, at);
  return v > 0 ? v * 4 : 0;
}

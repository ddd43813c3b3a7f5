/**
 * HAProxy 2.6's hash functions (`hash-type … sdbm|djb2|wt6|crc32`, src/hash.c) and its avalanche
 * step (`full_hash`, Bob Jenkins' integer mix, used by `avalanche` and to place consistent-hash nodes),
 * bit for bit: a key hashes to the same server here as under HAProxy, so caches keep their affinity
 * when users move. All work on buf[start, end) with 32-bit unsigned arithmetic and allocate nothing.
 */

export type HashFunction = (buf: Uint8Array, start: number, end: number) => number;

export function sdbm(buf: Uint8Array, start: number, end: number): number {
  let h = 0;
  for (let i = start; i < end; i++) h = (buf[i] + (h << 6) + (h << 16) - h) | 0;
  return h >>> 0;
}

export function djb2(buf: Uint8Array, start: number, end: number): number {
  let h = 5381;
  for (let i = start; i < end; i++) h = ((h << 5) + h + buf[i]) | 0;
  return h >>> 0;
}

export function wt6(buf: Uint8Array, start: number, end: number): number {
  let h0 = 0xa53c965a | 0;
  let h1 = 0x5ca6953a | 0;
  let step0 = 6;
  let step1 = 18;
  for (let i = start; i < end; i++) {
    const c = buf[i];
    h0 = ~(h0 ^ c);
    h1 = ~((h1 + c) | 0);
    const t = (h1 << step0) | (h1 >>> (32 - step0));
    h1 = (h0 << step1) | (h0 >>> (32 - step1));
    h0 = t;
    const m = ((h0 >>> 16) ^ h1) & 0xffff;
    step0 = m & 0x1f;
    step1 = m >>> 11;
  }
  return (h0 ^ h1) >>> 0;
}

export function crc32(buf: Uint8Array, start: number, end: number): number {
  let h = ~0;
  for (let i = start; i < end; i++) {
    h ^= buf[i];
    for (let bit = 0; bit < 8; bit++) h = (h >>> 1) ^ (h & 1 ? 0xedb88320 : 0);
  }
  return ~h >>> 0;
}

/** By `hash-type` name. */
export const HASH_FUNCTIONS: Readonly<Record<string, HashFunction>> = Object.freeze({
  sdbm,
  djb2,
  wt6,
  crc32,
});

/** HAProxy's `full_hash()`: spreads a 32-bit value over the whole ring (`avalanche`, consistent-hash nodes). */
export function fullHash(a: number): number {
  a = (a + 0x7ed55d16 + (a << 12)) | 0;
  a = a ^ 0xc761c23c ^ (a >>> 19);
  a = (a + 0x165667b1 + (a << 5)) | 0;
  a = ((a + 0xd3a2646c) | 0) ^ (a << 9);
  a = (a + 0xfd7046c5 + (a << 3)) | 0;
  a = a ^ 0xb55a4f09 ^ (a >>> 16);
  return Math.imul(a, 3221225473 | 0) >>> 0;
}

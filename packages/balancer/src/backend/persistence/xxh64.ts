/**
 * XXH64 (seed 0), the hash HAProxy's `dynamic` cookies are made of (`srv_set_dyncookie()`: the
 * `dynamic-cookie-key`, the server's address bytes and its port as 4 big-endian bytes, printed as 16
 * hex digits). Computed once per server at start, so BigInt arithmetic is fine.
 */

const M64 = (1n << 64n) - 1n;
const P1 = 11400714785074694791n;
const P2 = 14029467366897019727n;
const P3 = 1609587929392839161n;
const P4 = 9650029242287828579n;
const P5 = 2870177450012600261n;

const rotl = (x: bigint, r: bigint): bigint => ((x << r) | (x >> (64n - r))) & M64;
const mul = (a: bigint, b: bigint): bigint => (a * b) & M64;

function round(acc: bigint, lane: bigint): bigint {
  return mul(rotl((acc + mul(lane, P2)) & M64, 31n), P1);
}

function merge(acc: bigint, v: bigint): bigint {
  return (mul(acc ^ round(0n, v), P1) + P4) & M64;
}

export function xxh64(data: Uint8Array, seed = 0n): bigint {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const len = data.length;
  let i = 0;
  let h: bigint;
  if (len >= 32) {
    let v1 = (seed + P1 + P2) & M64;
    let v2 = (seed + P2) & M64;
    let v3 = seed;
    let v4 = (seed - P1) & M64;
    for (; i + 32 <= len; i += 32) {
      v1 = round(v1, view.getBigUint64(i, true));
      v2 = round(v2, view.getBigUint64(i + 8, true));
      v3 = round(v3, view.getBigUint64(i + 16, true));
      v4 = round(v4, view.getBigUint64(i + 24, true));
    }
    h = (rotl(v1, 1n) + rotl(v2, 7n) + rotl(v3, 12n) + rotl(v4, 18n)) & M64;
    h = merge(merge(merge(merge(h, v1), v2), v3), v4);
  } else {
    h = (seed + P5) & M64;
  }
  h = (h + BigInt(len)) & M64;
  for (; i + 8 <= len; i += 8) {
    h ^= round(0n, view.getBigUint64(i, true));
    h = (mul(rotl(h, 27n), P1) + P4) & M64;
  }
  if (i + 4 <= len) {
    h ^= mul(BigInt(view.getUint32(i, true)), P1);
    h = (mul(rotl(h, 23n), P2) + P3) & M64;
    i += 4;
  }
  for (; i < len; i++) {
    h ^= mul(BigInt(data[i]), P5);
    h = mul(rotl(h, 11n), P1);
  }
  h ^= h >> 33n;
  h = mul(h, P2);
  h ^= h >> 29n;
  h = mul(h, P3);
  h ^= h >> 32n;
  return h;
}

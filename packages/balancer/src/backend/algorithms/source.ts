/**
 * `balance source`: the client's IP address, hashed as HAProxy does (backend.c get_server_sh): the
 * address's 32-bit big-endian words XORed together (IPv4: the address itself; IPv6, including an IPv4
 * client of a dual-stack listener seen as ::ffff:a.b.c.d: four words). The hash function of `hash-type`
 * is not used; `avalanche` is. A client without an IP address (a UNIX socket) gets round-robin.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { PickContext } from './algorithm.ts';
import { hashAlgorithm } from './hash-based.ts';

/** A one-entry cache: keep-alive clients and repeated picks hash the same address. */
let lastText = '';
let lastKey: number | null = null;

export function sourceKey(address: string): number | null {
  if (address === lastText) return lastKey;
  lastText = address;
  lastKey = parseKey(address);
  return lastKey;
}

function ipv4Word(text: string): number {
  const p = text.split('.');
  return ((Number(p[0]) << 24) | (Number(p[1]) << 16) | (Number(p[2]) << 8) | Number(p[3])) >>> 0;
}

function parseKey(address: string): number | null {
  if (isIPv4(address)) return ipv4Word(address);
  if (!isIPv6(address)) return null;
  // expand to 8 groups of 16 bits (an embedded IPv4 tail counts as two)
  let text = address;
  const pct = text.indexOf('%');
  if (pct >= 0) text = text.slice(0, pct);
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    const v4 = ipv4Word(text.slice(lastColon + 1));
    tail = [v4 >>> 16, v4 & 0xffff];
    text = `${text.slice(0, lastColon + 1)}0`;
  }
  const [head, rest] = text.includes('::') ? text.split('::') : [text, null];
  const left = head === '' ? [] : head.split(':');
  const right = rest === null || rest === '' ? [] : rest.split(':');
  if (tail.length > 0) (right.length > 0 ? right : left).pop();
  const groups = [
    ...left,
    ...new Array(8 - left.length - right.length - tail.length).fill('0'),
    ...right,
  ].map((g) => Number.parseInt(g, 16));
  groups.push(...tail);
  let h = 0;
  for (let w = 0; w < 4; w++) h ^= ((groups[2 * w] << 16) | groups[2 * w + 1]) >>> 0;
  return h >>> 0;
}

export const sourceHash = hashAlgorithm('source', () => (ctx: PickContext) => sourceKey(ctx.clientAddress));

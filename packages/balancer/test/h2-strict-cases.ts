/**
 * The HTTP/2 strictness table (RFC 9113 as HAProxy 2.6 applies it), each row a malformed or abusive
 * request sent with the raw client (support/h2-raw.ts) on its own connection to a `proto h2` bind,
 * followed by a valid GET on the same connection. Recorded from haproxy by h2-strict-record.ts into
 * h2-strict-expected.json and run against the balancer by h2-strict.test.ts.
 */
import {
  CONTINUATION,
  DATA,
  END_HEADERS,
  END_STREAM,
  frame,
  HEADERS,
  headerBlock,
  RST_STREAM,
} from './support/h2-raw.ts';

export interface StrictCase {
  name: string;
  frames: Buffer[];
  /** the stream of the valid GET that follows */
  next: number;
}

const BASE: [string, string][] = [
  [':method', 'GET'],
  [':scheme', 'http'],
  [':path', '/probe'],
  [':authority', 'h2.test'],
];

const get = (fields: [string, string][], flags = END_HEADERS | END_STREAM) => [
  frame(HEADERS, flags, 1, headerBlock(fields)),
];

/** `n` headers of `size` bytes each, in a HEADERS frame and CONTINUATION frames of at most 16384 bytes. */
function bigHeaders(n: number, size: number): Buffer[] {
  const fields: [string, string][] = [...BASE];
  for (let i = 0; i < n; i++) fields.push([`x-big-${i}`, 'v'.repeat(size)]);
  const block = headerBlock(fields);
  const out: Buffer[] = [];
  for (let at = 0; at < block.length; at += 16000) {
    const last = at + 16000 >= block.length;
    const part = block.subarray(at, at + 16000);
    const flags = (last ? END_HEADERS : 0) | (at === 0 ? END_STREAM : 0);
    out.push(frame(at === 0 ? HEADERS : CONTINUATION, flags, 1, part));
  }
  return out;
}

/** Rapid Reset (CVE-2023-44487): streams opened and reset at once, `n` times, before the probe. */
function rapidReset(n: number): Buffer[] {
  const out: Buffer[] = [];
  const rst = Buffer.alloc(4);
  rst.writeUInt32BE(8); // CANCEL
  for (let i = 0; i < n; i++) {
    const id = 5 + 2 * i;
    out.push(frame(HEADERS, END_HEADERS | END_STREAM, id, headerBlock(BASE)), frame(RST_STREAM, 0, id, rst));
  }
  return [...get(BASE), ...out];
}

export const STRICT_CASES: StrictCase[] = [
  { name: 'valid', frames: get(BASE), next: 3 },
  { name: 'uppercase-name', frames: get([...BASE, ['X-Upper', '1']]), next: 3 },
  { name: 'connection-header', frames: get([...BASE, ['connection', 'keep-alive']]), next: 3 },
  { name: 'keep-alive-header', frames: get([...BASE, ['keep-alive', 'timeout=5']]), next: 3 },
  { name: 'transfer-encoding', frames: get([...BASE, ['transfer-encoding', 'chunked']]), next: 3 },
  { name: 'te-gzip', frames: get([...BASE, ['te', 'gzip']]), next: 3 },
  { name: 'te-trailers', frames: get([...BASE, ['te', 'trailers']]), next: 3 },
  { name: 'missing-path', frames: get(BASE.filter(([n]) => n !== ':path')), next: 3 },
  { name: 'missing-method', frames: get(BASE.filter(([n]) => n !== ':method')), next: 3 },
  {
    name: 'empty-path',
    frames: get([
      [':method', 'GET'],
      [':scheme', 'http'],
      [':path', ''],
      [':authority', 'h2.test'],
    ]),
    next: 3,
  },
  { name: 'duplicate-method', frames: get([...BASE, [':method', 'POST']]), next: 3 },
  { name: 'unknown-pseudo', frames: get([...BASE, [':foo', 'bar']]), next: 3 },
  {
    name: 'pseudo-after-regular',
    frames: get([
      [':method', 'GET'],
      ['x-a', '1'],
      [':scheme', 'http'],
      [':path', '/p'],
      [':authority', 'h2.test'],
    ]),
    next: 3,
  },
  { name: 'response-pseudo', frames: get([...BASE, [':status', '200']]), next: 3 },
  { name: 'space-in-name', frames: get([...BASE, ['x a', '1']]), next: 3 },
  { name: 'colon-in-name', frames: get([...BASE, ['x:a', '1']]), next: 3 },
  { name: 'nul-in-value', frames: get([...BASE, ['x-a', 'a\0b']]), next: 3 },
  {
    name: 'space-in-path',
    frames: get([
      [':method', 'GET'],
      [':scheme', 'http'],
      [':path', '/a b'],
      [':authority', 'h2.test'],
    ]),
    next: 3,
  },
  {
    name: 'space-in-method',
    frames: get([
      [':method', 'G T'],
      [':scheme', 'http'],
      [':path', '/a'],
      [':authority', 'h2.test'],
    ]),
    next: 3,
  },
  {
    name: 'newline-in-authority',
    frames: get([
      [':method', 'GET'],
      [':scheme', 'http'],
      [':path', '/a'],
      [':authority', 'h2.test\r\nx-i: 1'],
    ]),
    next: 3,
  },
  { name: 'newline-in-value', frames: get([...BASE, ['x-a', 'a\r\nb: c']]), next: 3 },
  {
    name: 'content-length-more-data',
    frames: [
      frame(
        HEADERS,
        END_HEADERS,
        1,
        headerBlock([[':method', 'POST'], ...BASE.slice(1), ['content-length', '2']]),
      ),
      frame(DATA, END_STREAM, 1, Buffer.from('abcd')),
    ],
    next: 3,
  },
  { name: 'header-list-20k', frames: bigHeaders(20, 1000), next: 3 },
  { name: 'header-list-60k', frames: bigHeaders(60, 1000), next: 3 },
  // the GET after it takes the next free stream id
  { name: 'rapid-reset-500', frames: rapidReset(500), next: 5 + 2 * 500 },
];

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

/**
 * CONTINUATION flood (the 2024 class, CVE-2024-27316 and kin): a header block that never ends — a HEADERS
 * frame without END_HEADERS, then `n` CONTINUATION frames of `size` bytes of one field's value
 * (`size` 0: empty frames, which make the block no bigger), never END_HEADERS.
 */
function continuationFlood(n: number, size: number): Buffer[] {
  const total = n * size;
  // a literal field whose value is announced as `total` bytes long, and sent `size` bytes per frame
  const name = Buffer.from('x-flood', 'latin1');
  const lenBytes: number[] = [];
  if (total < 127) lenBytes.push(total);
  else {
    lenBytes.push(127);
    let v = total - 127;
    while (v >= 128) {
      lenBytes.push((v & 127) | 128);
      v >>= 7;
    }
    lenBytes.push(v);
  }
  const start = Buffer.concat([
    headerBlock(BASE),
    Buffer.from([0x00, name.length]),
    name,
    Buffer.from(lenBytes),
  ]);
  const out = [frame(HEADERS, END_STREAM, 1, start)];
  const piece = Buffer.alloc(size, 0x61);
  for (let i = 0; i < n; i++) out.push(frame(CONTINUATION, 0, 1, piece));
  return out;
}

/** A frame of `type` with a 4-byte big-endian `value` as its payload (RST_STREAM, WINDOW_UPDATE). */
const u32Frame = (type: number, flags: number, stream: number, value: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value >>> 0);
  return frame(type, flags, stream, b);
};

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
  // CONTINUATION floods: the block never ends (the GET after it arrives inside the block)
  { name: 'continuation-flood-1000x1000', frames: continuationFlood(1000, 1000), next: 3 },
  { name: 'continuation-flood-empty-10000', frames: continuationFlood(10000, 0), next: 3 },
  // RFC 9113 §6.10: CONTINUATION only right after a HEADERS (or CONTINUATION) of the same stream
  {
    name: 'continuation-without-headers',
    frames: [frame(CONTINUATION, END_HEADERS, 1, headerBlock(BASE))],
    next: 3,
  },
  {
    name: 'continuation-other-stream',
    frames: [
      frame(HEADERS, END_STREAM, 1, headerBlock(BASE)),
      frame(CONTINUATION, END_HEADERS, 3, Buffer.alloc(0)),
    ],
    next: 5,
  },
  {
    name: 'data-inside-header-block',
    frames: [frame(HEADERS, END_STREAM, 1, headerBlock(BASE)), frame(DATA, 0, 1, Buffer.from('x'))],
    next: 3,
  },
  // §5.1.1: client streams are odd and increasing
  {
    name: 'even-stream-id',
    frames: [frame(HEADERS, END_HEADERS | END_STREAM, 2, headerBlock(BASE))],
    next: 3,
  },
  {
    name: 'decreasing-stream-id',
    frames: [
      frame(HEADERS, END_HEADERS | END_STREAM, 5, headerBlock(BASE)),
      frame(HEADERS, END_HEADERS | END_STREAM, 1, headerBlock(BASE)),
    ],
    next: 7,
  },
  // §5.1: DATA on an idle stream; HEADERS again on a stream its client already ended
  { name: 'data-on-idle-stream', frames: [frame(DATA, END_STREAM, 1, Buffer.from('x'))], next: 3 },
  {
    name: 'headers-after-end-stream',
    frames: [
      frame(HEADERS, END_HEADERS, 1, headerBlock([[':method', 'POST'], ...BASE.slice(1)])),
      frame(DATA, END_STREAM, 1, Buffer.from('x')),
      frame(HEADERS, END_HEADERS | END_STREAM, 1, headerBlock([['x-late', '1']])),
    ],
    next: 3,
  },
  // §8.1: trailers carry no pseudo-header
  {
    name: 'pseudo-in-trailers',
    frames: [
      frame(HEADERS, END_HEADERS, 1, headerBlock([[':method', 'POST'], ...BASE.slice(1)])),
      frame(DATA, 0, 1, Buffer.from('x')),
      frame(HEADERS, END_HEADERS | END_STREAM, 1, headerBlock([[':path', '/again']])),
    ],
    next: 3,
  },
  // §6.9: a WINDOW_UPDATE of 0 is a stream error on a stream, a connection error on the connection
  {
    name: 'window-update-zero-stream',
    frames: [
      frame(HEADERS, END_HEADERS, 1, headerBlock([[':method', 'POST'], ...BASE.slice(1)])),
      u32Frame(8, 0, 1, 0),
    ],
    next: 3,
  },
  { name: 'window-update-zero-connection', frames: [...get(BASE), u32Frame(8, 0, 0, 0)], next: 3 },
  // §6.5.2: SETTINGS_INITIAL_WINDOW_SIZE above 2^31-1 (FLOW_CONTROL_ERROR)
  {
    name: 'settings-window-too-large',
    frames: [frame(4, 0, 0, Buffer.from([0, 4, 0x80, 0, 0, 0])), ...get(BASE)],
    next: 3,
  },
  // §4.2: a frame larger than SETTINGS_MAX_FRAME_SIZE (16384)
  {
    name: 'frame-too-large',
    frames: [
      frame(
        HEADERS,
        END_HEADERS | END_STREAM,
        1,
        Buffer.concat([headerBlock(BASE), headerBlock([['x-pad', 'p'.repeat(17000)]])]),
      ),
    ],
    next: 3,
  },
  // §5.3.1 (RFC 7540): a stream depending on itself
  {
    name: 'self-dependency',
    frames: [
      frame(
        HEADERS,
        END_HEADERS | END_STREAM | 0x20,
        1,
        Buffer.concat([Buffer.from([0, 0, 0, 1, 15]), headerBlock(BASE)]),
      ),
    ],
    next: 3,
  },
  // §8.3.1: a host field naming another authority than :authority
  { name: 'host-authority-mismatch', frames: get([...BASE, ['host', 'other.test']]), next: 3 },
  // §8.5: CONNECT with :path and :scheme (a plain CONNECT has only :method and :authority)
  {
    name: 'connect-with-path',
    frames: get([
      [':method', 'CONNECT'],
      [':scheme', 'http'],
      [':path', '/x'],
      [':authority', 'h2.test:443'],
    ]),
    next: 3,
  },
  // §6.8: GOAWAY from the client, then a new stream: not served
  {
    name: 'stream-after-client-goaway',
    frames: [...get(BASE), frame(7, 0, 0, Buffer.alloc(8))],
    next: 3,
  },
];

/**
 * The HTTP/2 strictness table (h2-strict-cases.ts) against what haproxy 2.6 answered
 * (h2-strict-expected.json, from h2-strict-record.ts): per row, what the malformed stream got
 * (RST_STREAM and its code, a response, a GOAWAY) and whether a valid GET on the same connection after
 * it was still served. Differences are listed in DIFFERENCES with the reason, and in the README.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { loadBalancerConfigText } from '../src/config/load.ts';
import { startEngine } from '../src/engine/engine.ts';
import { H2_STRICT_EXPECTED, runStrictTable, STRICT_CONFIG } from './h2-strict-record.ts';
import type { RawOutcome } from './support/h2-raw.ts';
import { quiet, startUpstream } from './support/harness.ts';
import { freePort } from './support/ports.ts';

const expected = JSON.parse(readFileSync(H2_STRICT_EXPECTED, 'utf8')) as { rows: Record<string, RawOutcome> };

/** Rows where the balancer answers otherwise, and why (README, HTTP/2). */
const SERVED: RawOutcome = { probe: ':status 200', after: ':status 200' };
const DROPPED =
  "Node's nghttp2 drops a field it finds invalid before the engine sees it (no on_invalid_header callback): the request goes on without it, where haproxy resets the stream; nothing is injected either way";
const DIFFERENCES: Record<string, { got: RawOutcome; why: string }> = {
  'space-in-name': { got: SERVED, why: DROPPED },
  'colon-in-name': { got: SERVED, why: DROPPED },
  'nul-in-value': { got: SERVED, why: DROPPED },
  'newline-in-value': { got: SERVED, why: DROPPED },
  'content-length-more-data': {
    got: { probe: 'GOAWAY 2', after: 'GOAWAY 2' },
    why: "Node's nghttp2 makes DATA beyond content-length a connection error (GOAWAY); haproxy resets the stream",
  },
  'header-list-20k': {
    got: { probe: ':status 400', after: ':status 200' },
    why: 'a head larger than tune.bufsize - tune.maxrewrite is a 400 on that stream (the HTTP/1 rule); haproxy ends the connection (GOAWAY INTERNAL_ERROR)',
  },
  'space-in-method': {
    got: { probe: 'RST_STREAM 1', after: ':status 200' },
    why: "Node's nghttp2 resets a stream whose :method is not a token (PROTOCOL_ERROR); haproxy answers 400",
  },
  'header-list-60k': {
    got: { probe: ':status 400', after: ':status 200' },
    why: 'as header-list-20k',
  },
  // the CONTINUATION floods end the connection on both (nothing is buffered without bound); the codes
  // are each implementation's
  'continuation-flood-1000x1000': {
    got: { probe: 'GOAWAY 9', after: 'GOAWAY 9' },
    why: "Node's nghttp2 ends the connection at its header-list limit with COMPRESSION_ERROR; haproxy with INTERNAL_ERROR once the block exceeds its buffer",
  },
  'continuation-flood-empty-10000': {
    got: { probe: 'GOAWAY 2', after: 'GOAWAY 2' },
    why: "Node's nghttp2 (≥ 1.61) ends the connection after its CONTINUATION count limit with INTERNAL_ERROR; haproxy with PROTOCOL_ERROR",
  },
  'decreasing-stream-id': {
    got: { probe: 'none', after: ':status 200' },
    why: "Node's nghttp2 ignores a HEADERS on a stream id below the last one (an implicitly closed stream: nothing is served) and keeps the connection; haproxy ends it with STREAM_CLOSED",
  },
  'headers-after-end-stream': {
    got: { probe: 'GOAWAY 5', after: 'GOAWAY 5' },
    why: "both end the connection; Node's nghttp2 with STREAM_CLOSED, haproxy resets the stream (NO_ERROR) and sends PROTOCOL_ERROR",
  },
  'pseudo-in-trailers': {
    got: { probe: 'RST_STREAM 1', after: ':status 200' },
    why: 'both reset the stream and keep the connection; PROTOCOL_ERROR (RFC 9113 §8.1.1) where haproxy says INTERNAL_ERROR',
  },
  'window-update-zero-stream': {
    got: { probe: 'GOAWAY 1', after: 'GOAWAY 1' },
    why: "Node's nghttp2 makes a zero WINDOW_UPDATE on a stream a connection error; haproxy a stream error (RFC 9113 §6.9)",
  },
  'window-update-zero-connection': {
    got: { probe: 'GOAWAY 1', after: 'GOAWAY 1' },
    why: "both end the connection with PROTOCOL_ERROR; haproxy resets the open stream first (NO_ERROR), Node's nghttp2 only says GOAWAY",
  },
  'stream-after-client-goaway': {
    got: { probe: ':status 200', after: 'GOAWAY 0' },
    why: "Node's http2 closes a session gracefully when its peer sends GOAWAY (the open stream is answered, a new one is not); haproxy still serves the client's new stream",
  },
};

describe('HTTP/2 strictness as haproxy 2.6 applies it', async () => {
  const up = await startUpstream();
  const port = await freePort();
  const loaded = loadBalancerConfigText([{ path: 't.cfg', text: STRICT_CONFIG(port, up.port) }], { env: {} });
  const engine = await startEngine(loaded.engine!, quiet);
  let got: Record<string, RawOutcome>;
  try {
    got = await runStrictTable(port);
  } finally {
    await engine.stop(0);
    await up.close();
  }
  for (const [name, want] of Object.entries(expected.rows))
    test(DIFFERENCES[name] ? `${name} (differs: ${DIFFERENCES[name].why})` : name, () =>
      assert.deepEqual(got[name], DIFFERENCES[name]?.got ?? want),
    );
});

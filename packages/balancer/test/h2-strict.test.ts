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

/**
 * The pure parts of logging: dates, syslog headers, the built-in line formats, `sample`, HTX byte
 * counts. The fixtures are lines the real HAProxy 2.6 sent (test/logging-expected.json holds the
 * full differential, masked; these are unmasked examples from the same kind of run).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorResponse } from '../http/error-pages.ts';
import { htxRawSize } from '../http/htx-size.ts';
import { compileLogFormat } from '../rules/log-format.ts';
import { clfLine, encodeRequestLine, httpLine, tcpLine } from './access-formats.ts';
import { clfDate, isoDate, logDate, rfc3164Date } from './log-date.ts';
import { LogRecord } from './log-record.ts';
import { LogTarget } from './log-sender.ts';
import { type LogTargetSpec, parseSample } from './log-spec.ts';
import { frame } from './syslog-frame.ts';

// 2026-12-03 10:51:54.235 local time
const T = new Date(2026, 11, 3, 10, 51, 54, 235).getTime();

test('dates: %t/%tr, CLF, RFC 3164 (space-padded day), ISO with microseconds and offset', () => {
  assert.equal(logDate(T), '03/Dec/2026:10:51:54.235');
  assert.match(clfDate(T), /^03\/Dec\/2026:10:51:54 [+-]\d{4}$/);
  assert.equal(rfc3164Date(T), 'Dec  3 10:51:54');
  assert.match(isoDate(T * 1000 + 31), /^2026-12-03T10:51:54\.235031[+-]\d\d:\d\d$/);
  assert.equal(logDate(T + 1000 - 235 + 7), '03/Dec/2026:10:51:55.007', 'the cached second moves on');
});

function record(): LogRecord {
  const r = new LogRecord();
  Object.assign(r, {
    clientIp: '127.0.0.1',
    clientPort: 47328,
    frontend: 'fe',
    backend: 'be',
    server: 's1',
    acceptDate: T,
    requestDate: T,
    TR: 0,
    Tw: 0,
    Tc: 0,
    Tr: 3,
    Ta: 3,
    Tt: 3,
    status: 200,
    bytesOut: 119,
    cookieReq: 'N',
    cookieRes: 'I',
    actconn: 1,
    feconn: 1,
    requestLine: 'GET / HTTP/1.1',
  });
  return r;
}

test('option httplog, httplog clf and tcplog lines as HAProxy 2.6 writes them', () => {
  assert.equal(
    httpLine(record()),
    '127.0.0.1:47328 [03/Dec/2026:10:51:54.235] fe be/s1 0/0/0/3/3 200 119 - - --NI 1/1/0/0/0 0/0 "GET / HTTP/1.1"',
  );
  assert.match(
    clfLine(record()),
    /^127\.0\.0\.1 - - \[03\/Dec\/2026:10:51:54 [+-]\d{4}\] "GET \/ HTTP\/1\.1" 200 119 "" "" 47328 235 "fe" "be" "s1" 0 0 0 3 3 --NI 1 1 0 0 0 0 0 "" "" $/,
  );
  const t = record();
  Object.assign(t, { Tw: 1, Tc: 0, Tt: 7, bytesOut: 97, retries: 3, redispatched: true });
  assert.equal(tcpLine(t), '127.0.0.1:47328 [03/Dec/2026:10:51:54.235] fe be/s1 1/0/7 97 -- 1/1/0/0/+3 0/0');
});

test('%r: control characters, ", # and 8-bit bytes as #XX, cut at 1024', () => {
  assert.equal(encodeRequestLine('GET /a%22b"# HTTP/1.1'), 'GET /a%22b#22#23 HTTP/1.1');
  assert.equal(encodeRequestLine('GET /\x01\xe9 HTTP/1.1'), 'GET /#01#E9 HTTP/1.1');
  assert.equal(encodeRequestLine(`GET /${'a'.repeat(2000)}`).length, 1024);
});

const spec = (o: Partial<LogTargetSpec>): LogTargetSpec => ({
  text: 't',
  kind: 'udp',
  host: '127.0.0.1',
  port: 514,
  family: 4,
  path: '',
  facility: 18,
  maxLevel: 7,
  minLevel: 0,
  format: 'default',
  len: 1024,
  sample: null,
  ...o,
});
const O = { tag: 'haproxy', pid: 1234, hostname: null };

test('syslog headers per format (recorded shapes), levels, len', () => {
  assert.equal(frame(spec({}), 6, O, 'm', T), '<150>Dec  3 10:51:54 haproxy[1234]: m\n');
  assert.equal(
    frame(spec({ format: 'rfc3164' }), 6, O, 'm', T),
    '<150>Dec  3 10:51:54 localhost haproxy[1234]: m\n',
  );
  assert.equal(
    frame(spec({}), 6, { ...O, hostname: 'front1' }, 'm', T),
    '<150>Dec  3 10:51:54 front1 haproxy[1234]: m\n',
  );
  assert.equal(
    frame(spec({ format: 'local' }), 6, { ...O, hostname: 'x' }, 'm', T),
    '<150>Dec  3 10:51:54 haproxy[1234]: m\n',
  );
  assert.match(
    frame(spec({ format: 'rfc5424' }), 6, O, 'm', T),
    /^<150>1 \d{4}-\d\d-\d\dT\S+ - haproxy 1234 - - m\n$/,
  );
  assert.equal(frame(spec({ format: 'short' }), 6, O, 'm', T), '<6>m\n');
  assert.match(frame(spec({ format: 'timed' }), 6, O, 'm', T), /^<6>\d{4}-\S+ m\n$/);
  assert.match(frame(spec({ format: 'iso' }), 6, O, 'm', T), /^\d{4}-\S+ m\n$/);
  assert.equal(frame(spec({ format: 'priority' }), 6, O, 'm', T), '<150>m\n');
  assert.equal(frame(spec({ format: 'raw' }), 6, O, 'm', T), 'm\n');
  // minlevel debug: an info line is sent at debug (local4 debug debug → <167>, recorded)
  assert.equal(frame(spec({ facility: 20, minLevel: 7 }), 6, O, 'm', T).slice(0, 5), '<167>');
  // len 80: 80 bytes, then the newline
  const cut = frame(spec({ len: 80 }), 6, O, 'x'.repeat(200), T);
  assert.equal(cut.length, 81);
  assert.ok(cut.endsWith('x\n'));
});

test('sample ranges', () => {
  assert.deepEqual(parseSample('1:2'), { size: 2, ranges: [[1, 1]] });
  assert.deepEqual(parseSample('1-3,5:10'), {
    size: 10,
    ranges: [
      [1, 3],
      [5, 5],
    ],
  });
  assert.equal(parseSample('3:2'), null);
  assert.equal(parseSample('x'), null);
});

test('a target that cannot take lines counts them as dropped, and levels above max are not sent', () => {
  const unix = new LogTarget(spec({ kind: 'unix', path: '' }));
  unix.send(6, O, 'm', T);
  unix.send(6, O, 'm', T);
  assert.deepEqual(unix.counters, { sent: 0, dropped: 2 });
  const notice = new LogTarget(spec({ kind: 'unix', maxLevel: 5 }));
  notice.send(6, O, 'm', T);
  assert.deepEqual(notice.counters, { sent: 0, dropped: 0 }, 'filtered, not dropped');
  const sampled = new LogTarget(spec({ kind: 'unix', sample: parseSample('1:2') }));
  for (let i = 0; i < 4; i++) sampled.send(6, O, 'm', T);
  assert.equal(sampled.counters.dropped, 2, 'one line in two reaches the (dropping) target');
});

test('%B of the balancer’s own error responses counts what HAProxy counts (recorded: 503 → 217, 504 → 198)', () => {
  assert.equal(htxRawSize(errorResponse(503, false)), 217);
  assert.equal(htxRawSize(errorResponse(504, false)), 198);
});

/** HAProxy 2.6's definitions of the built-in formats (log.c default_http_log_format, …). */
const HTTPLOG =
  '%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r';
const CLF =
  '%{+Q}o %{-Q}ci - - [%trl] %r %ST %B "" "" %cp %ms %ft %b %s %TR %Tw %Tc %Tr %Ta %tsc %ac %fc %bc %sc %rc %sq %bq %CC %CS %hrl %hsl';
const TCPLOG = '%ci:%cp [%t] %ft %b/%s %Tw/%Tc/%Tt %B %ts %ac/%fc/%bc/%sc/%rc %sq/%bq';

test('log-format: the built-in formats written as log-format strings print what the fixed formatters print', () => {
  const env = { loadMap: () => '' };
  const http = compileLogFormat(HTTPLOG, env);
  const clf = compileLogFormat(CLF, env);
  const tcp = compileLogFormat(TCPLOG, env);
  const variants: Partial<LogRecord>[] = [
    {},
    { asap: true, Ta: 12, Tt: 12, bytesOut: 40 },
    {
      server: '<NOSRV>',
      Tw: -1,
      Tc: -1,
      Tr: -1,
      status: 503,
      termCause: 'S',
      termPhase: 'C',
      retries: 3,
      redispatched: true,
    },
    { requestLine: '<BADREQ>', status: 400, TR: -1, termCause: 'C', termPhase: 'R' },
    { requestLine: 'GET /a"b#\x01 HTTP/1.1', clientIp: '::1' },
  ];
  for (const v of variants) {
    const r = Object.assign(record(), v);
    assert.equal(http(r), httpLine(r), JSON.stringify(v));
    assert.equal(clf(r), clfLine(r), JSON.stringify(v));
    assert.equal(tcp(r), tcpLine(r), JSON.stringify(v));
  }
});

test('log-format: separators, -, +Q/-Q/+X/+E, %o, %%, empty captures, and the compile errors', () => {
  const env = { loadMap: () => '' };
  const r = record();
  const f = (s: string) => compileLogFormat(s, env)(r);
  assert.equal(
    f('a  b   %hr %hs c'),
    'a b c',
    'a run of spaces is one separator, none after nothing printed',
  );
  assert.equal(f('%{+Q}b %{+Q}ST %{+X}ci %{+X}cp %%x %CC %{+Q}CS'), '"be" 200 7F000001 B8E0 %x - ""');
  assert.equal(f('%{+Q}o %b %{-Q}s %ST'), '"be" s1 200');
  r.reqCaptures = ['x', null];
  assert.equal(f('%hr %hrl %{+Q}hrl'), '{x|} x - "x" ""');
  r.server = 'a"b]';
  assert.equal(f('%{+E}s'), 'a\\"b\\]');
  assert.throws(
    () => compileLogFormat('%ci %r', env, 'tcp'),
    /format variable 'r' is reserved for HTTP mode/,
  );
  assert.throws(
    () => compileLogFormat('%ci %foo', env),
    /no such format variable 'foo'\. If you wanted to emit the '%' character verbatim, you need to use '%%'/,
  );
});

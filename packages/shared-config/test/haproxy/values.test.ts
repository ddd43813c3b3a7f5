import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseAddress, parseCidr, parseSize, parseTime } from '../../src/haproxy/index.ts';

describe('times (configuration.txt §2.5)', () => {
  const cases: [string, number][] = [
    ['0', 0],
    ['1500', 1500],
    ['10ms', 10],
    ['1us', 1],
    ['1500us', 2],
    ['2s', 2000],
    ['1m', 60_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['24d', 2_073_600_000],
  ];
  for (const [text, ms] of cases) {
    test(`${text} = ${ms} ms`, () =>
      assert.deepEqual(parseTime(text, 'timeout client'), { ok: true, value: ms }));
  }
  test('a bare number can default to seconds', () => {
    assert.deepEqual(parseTime('5', 'stats refresh', 's'), { ok: true, value: 5000 });
  });
  test('bad unit names the character and the units', () => {
    assert.deepEqual(parseTime('10x', 'timeout server'), {
      ok: false,
      error: "unexpected character 'x' in 'timeout server' (units are us, ms, s, m, h, d; e.g. '10s')",
    });
  });
  test('overflow beyond 2^31-1 ms', () => {
    const r = parseTime('25d', 'timeout client');
    assert.equal(r.ok, false);
    assert.match((r as { error: string }).error, /timer overflow in argument '25d' to 'timeout client'/);
  });
  test('not a number', () => {
    assert.equal(parseTime('fast', 'timeout client').ok, false);
    assert.equal(parseTime('-1s', 'timeout client').ok, false);
    assert.equal(parseTime('1.5s', 'timeout client').ok, false);
  });
});

describe('sizes', () => {
  for (const [text, bytes] of [
    ['16384', 16384],
    ['16k', 16384],
    ['1m', 1048576],
    ['1G', 1073741824],
  ] as const) {
    test(`${text} = ${bytes}`, () =>
      assert.deepEqual(parseSize(text, 'tune.bufsize'), { ok: true, value: bytes }));
  }
  test('bad size', () => assert.equal(parseSize('16kb', 'tune.bufsize').ok, false));
});

describe('addresses', () => {
  const bind = { what: 'bind', portRequired: true, allowRange: true };
  const inet = (
    family: 4 | 6 | null,
    host: string,
    portMin: number,
    portMax = portMin,
    hostname = false,
  ) => ({
    ok: true,
    value: { address: { kind: 'inet', family, host, hostname, portMin, portMax }, portOffset: null },
  });
  const cases: [string, unknown][] = [
    ['*:80', inet(null, '', 80)],
    [':80', inet(null, '', 80)],
    ['0.0.0.0:80', inet(4, '0.0.0.0', 80)],
    ['192.168.1.1:8080', inet(4, '192.168.1.1', 8080)],
    ['[::]:80', inet(6, '::', 80)],
    [':::80', inet(6, '::', 80)],
    ['[2001:db8::1]:443', inet(6, '2001:db8::1', 443)],
    ['ipv6@:80', inet(6, '', 80)],
    ['ipv4@*:80', inet(4, '', 80)],
    ['10.0.0.1:80-90', inet(4, '10.0.0.1', 80, 90)],
    [
      'unix@/run/a.sock',
      { ok: true, value: { address: { kind: 'unix', path: '/run/a.sock' }, portOffset: null } },
    ],
    [
      '/run/b.sock',
      { ok: true, value: { address: { kind: 'unix', path: '/run/b.sock' }, portOffset: null } },
    ],
    ['fd@3', { ok: true, value: { address: { kind: 'fd', fd: 3 }, portOffset: null } }],
  ];
  for (const [text, expected] of cases) {
    test(`bind ${text}`, () => assert.deepEqual(parseAddress(text, bind), expected));
  }
  const bad: [string, RegExp][] = [
    [':70000', /invalid port '70000'/],
    ['1.2.3.4', /missing port number/],
    ['1.2.3:80', /invalid address '1.2.3'/],
    ['10.0.0.1:90-80', /low port above high port/],
    ['[::1:80', /missing '\]'/],
    ['ipv6@1.2.3.4:80', /not an IPv6 address/],
    ['foo@x:80', /unknown address family 'foo@'/],
    ['fd@x', /expects a file descriptor number/],
  ];
  for (const [text, re] of bad) {
    test(`bind ${text} is refused`, () => {
      const r = parseAddress(text, bind);
      assert.equal(r.ok, false);
      assert.match((r as { error: string }).error, re);
    });
  }
  test('server ports: absolute, +offset, -offset, none; host names allowed', () => {
    const srv = { what: 'server', allowPortOffset: true, allowHostname: true };
    assert.deepEqual(parseAddress('10.0.0.1:+1000', srv), {
      ok: true,
      value: {
        address: { kind: 'inet', family: 4, host: '10.0.0.1', hostname: false, portMin: 0, portMax: 0 },
        portOffset: 1000,
      },
    });
    assert.equal(
      (parseAddress('10.0.0.1:-1', srv) as { value: { portOffset: number } }).value.portOffset,
      -1,
    );
    assert.equal((parseAddress('10.0.0.1', srv) as { value: { portOffset: number } }).value.portOffset, 0);
    assert.deepEqual((parseAddress('web.example.com:80', srv) as { value: unknown }).value, {
      address: {
        kind: 'inet',
        family: null,
        host: 'web.example.com',
        hostname: true,
        portMin: 80,
        portMax: 80,
      },
      portOffset: null,
    });
    assert.deepEqual((parseAddress('::1', srv) as { value: { address: unknown } }).value.address, {
      kind: 'inet',
      family: 6,
      host: '::1',
      hostname: false,
      portMin: 0,
      portMax: 0,
    });
  });
});

describe('networks', () => {
  const cases: [string, unknown][] = [
    ['10.0.0.0/8', { family: 4, address: '10.0.0.0', prefix: 8 }],
    ['127.0.0.0/255.0.0.0', { family: 4, address: '127.0.0.0', prefix: 8 }],
    ['192.168.1.7', { family: 4, address: '192.168.1.7', prefix: 32 }],
    ['2001:db8::/32', { family: 6, address: '2001:db8::', prefix: 32 }],
    ['::1', { family: 6, address: '::1', prefix: 128 }],
  ];
  for (const [text, value] of cases) {
    test(text, () => assert.deepEqual(parseCidr(text, 'acl'), { ok: true, value }));
  }
  for (const bad of ['10.0.0.0/33', '10.0.0.0/255.0.255.0', 'example.com', '2001:db8::/129', '10.0.0.0/x']) {
    test(`${bad} is refused`, () => assert.equal(parseCidr(bad, 'acl').ok, false));
  }
});

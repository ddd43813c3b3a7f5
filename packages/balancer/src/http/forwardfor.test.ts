import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cidrContains, forwardForLine, forwardForPlan, normalizeClientAddress } from './forwardfor.ts';

test('cidr matching, IPv4 and IPv6', () => {
  const lo = { family: 4 as const, address: '127.0.0.0', prefix: 8 };
  assert.equal(cidrContains(lo, '127.1.2.3'), true);
  assert.equal(cidrContains(lo, '128.0.0.1'), false);
  assert.equal(cidrContains(lo, '::1'), false);
  assert.equal(cidrContains({ family: 4, address: '10.1.2.0', prefix: 23 }, '10.1.3.255'), true);
  assert.equal(cidrContains({ family: 4, address: '10.1.2.0', prefix: 23 }, '10.1.4.0'), false);
  assert.equal(cidrContains({ family: 6, address: 'fd00::', prefix: 8 }, 'fd12:3456::1'), true);
  assert.equal(cidrContains({ family: 6, address: '::1', prefix: 128 }, '::1'), true);
  assert.equal(cidrContains({ family: 6, address: '::ffff:10.0.0.0', prefix: 104 }, '10.0.0.7'), true);
  assert.equal(cidrContains({ family: 4, address: '0.0.0.0', prefix: 0 }, '8.8.8.8'), true);
});

test('client address normalisation and header line', () => {
  assert.equal(normalizeClientAddress('::ffff:192.0.2.1'), '192.0.2.1');
  assert.equal(normalizeClientAddress('2001:db8::1'), '2001:db8::1');
  const plan = forwardForPlan({
    except: { family: 4, address: '127.0.0.0', prefix: 8 },
    header: 'X-Client',
    ifNone: false,
  })!;
  assert.equal(forwardForLine(plan, '127.0.0.1'), '');
  assert.equal(forwardForLine(plan, '192.0.2.1'), 'X-Client: 192.0.2.1\r\n');
});

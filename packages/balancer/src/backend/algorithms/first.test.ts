import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newServerState } from '../server.ts';
import { runAlgorithmSuite, serverSpec } from './algorithm.case.ts';
import { firstAvailable } from './first.ts';

runAlgorithmSuite('first', firstAvailable, {
  balance: { algorithm: 'first' },
  weighted: false,
  hold: true,
  maxconn: 2,
});

test('first: fills the first server up to its maxconn, then the next; a freed slot is reused first', () => {
  const servers = ['a', 'b', 'c'].map((n) => newServerState(serverSpec(n, { maxconn: 2 })));
  const lb = firstAvailable(servers, {
    balance: { algorithm: 'first' },
    hashType: { method: 'map-based', function: 'sdbm', avalanche: false },
    allBackups: false,
  });
  const take = () => {
    const s = lb.pick({ clientAddress: '', exclude: null, request: null })!;
    s.served++;
    return s.spec.name;
  };
  assert.equal(Array.from({ length: 5 }, take).join(''), 'aabbc');
  servers[0].served--;
  assert.equal(take(), 'a');
});

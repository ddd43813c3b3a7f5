import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newServerState } from '../server.ts';
import { runAlgorithmSuite, serverSpec } from './algorithm.case.ts';
import { leastConn } from './leastconn.ts';

// sequential exchanges: every server is idle at each pick, so equal loads rotate (weights do not matter)
runAlgorithmSuite('leastconn', leastConn, { balance: { algorithm: 'leastconn' }, weighted: false });
// exchanges held open: the loads, relative to the weights, decide
runAlgorithmSuite('leastconn (held exchanges)', leastConn, {
  balance: { algorithm: 'leastconn' },
  weighted: true,
  hold: true,
  tolerance: 0.01,
});

test('leastconn: the least loaded server relative to its weight, and a finished exchange frees its server', () => {
  const servers = [serverSpec('a', { weight: 1 }), serverSpec('b', { weight: 2 })].map(newServerState);
  const lb = leastConn(servers, {
    balance: { algorithm: 'leastconn' },
    hashType: { method: 'map-based', function: 'sdbm', avalanche: false },
    allBackups: false,
  });
  const take = () => {
    const s = lb.pick({ clientAddress: '', exclude: null, request: null })!;
    s.served++;
    lb.loadChanged?.(s);
    return s;
  };
  const picks = Array.from({ length: 6 }, () => take().spec.name).join('');
  assert.equal([...picks].filter((c) => c === 'b').length, 4, picks);
  servers[0].served = 0;
  lb.loadChanged?.(servers[0]);
  assert.equal(take().spec.name, 'a', 'the server whose exchanges ended is the least loaded');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Transaction } from './transaction.ts';

test("timers follow HAProxy's definitions; phases never reached are -1", () => {
  const tx = new Transaction();
  tx.reset(1000);
  tx.tRequest = 1010;
  tx.tConnect = 1010;
  tx.tConnected = 1013;
  tx.tResponse = 1050;
  tx.tEnd = 1060;
  assert.deepEqual(tx.timers(), { Tq: 10, Tw: 0, Tc: 3, Tr: 37, Tt: 60 });
  tx.reset(2000);
  tx.tRequest = 2005;
  tx.tEnd = 2006; // answered by the proxy itself
  assert.deepEqual(tx.timers(), { Tq: 5, Tw: -1, Tc: -1, Tr: -1, Tt: 6 });
});

test('the first termination cause wins; reset clears it', () => {
  const tx = new Transaction();
  tx.reset(0);
  assert.equal(tx.terminationState(), '--');
  tx.terminate('P', 'H');
  tx.terminate('S', 'H'); // the 502 that follows an invalid response is a consequence
  assert.equal(tx.terminationState(), 'PH');
  tx.reset(1);
  assert.equal(tx.terminationState(), '--');
});

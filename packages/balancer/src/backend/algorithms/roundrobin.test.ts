import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newServerState } from '../server.ts';
import { runAlgorithmSuite } from './algorithm.case.ts';
import { roundRobin } from './roundrobin.ts';

runAlgorithmSuite('roundrobin', roundRobin, { weighted: true });

test('roundrobin: equal weights rotate in server order; 3:1 interleaves (a a b a, not a a a b)', () => {
  const mk = (w: number[]) =>
    w.map((weight, i) =>
      newServerState({
        name: 'abc'[i],
        host: 'h',
        port: 1,
        path: null,
        weight,
        maxconn: null,
        disabled: false,
        backup: false,
      }),
    );
  const names = (w: number[], n: number) => {
    const lb = roundRobin(mk(w), []);
    return Array.from({ length: n }, () => lb.pick({ clientAddress: '', exclude: null })!.spec.name).join('');
  };
  assert.equal(names([1, 1, 1], 6), 'abcabc');
  assert.equal(names([3, 1], 8), 'aabaaaba');
});

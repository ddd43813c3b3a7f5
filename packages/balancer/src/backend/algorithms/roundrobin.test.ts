import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newServerState } from '../server.ts';
import { runAlgorithmSuite, setUp, setWeight, serverSpec as spec } from './algorithm.case.ts';
import { roundRobin } from './roundrobin.ts';

runAlgorithmSuite('roundrobin', roundRobin, { balance: { algorithm: 'roundrobin' }, weighted: true });

const OPTS = {
  balance: { algorithm: 'roundrobin' },
  hashType: { method: 'map-based', function: 'sdbm', avalanche: false },
  allBackups: false,
} as const;
const names = (w: number[]) => {
  const servers = w.map((weight, i) => newServerState(spec('abcdef'[i], { weight })));
  return { servers, lb: roundRobin(servers, OPTS) };
};
const run = (lb: ReturnType<typeof roundRobin>, n: number) =>
  Array.from(
    { length: n },
    () => lb.pick({ clientAddress: '', exclude: null, request: null })!.spec.name,
  ).join('');

test('roundrobin: equal weights rotate in server order; heavier servers are spread, not bunched', () => {
  assert.equal(run(names([1, 1, 1]).lb, 6), 'abcabc');
  const r = run(names([3, 1]).lb, 8);
  assert.equal([...r].filter((c) => c === 'a').length, 6);
  assert.doesNotMatch(r, /aaaa/);
});

test('roundrobin: a server coming back or reweighted joins the running round (no restart)', () => {
  const { servers, lb } = names([1, 1, 1]);
  run(lb, 4);
  setUp(lb, servers[1], false);
  assert.doesNotMatch(run(lb, 6), /b/);
  setUp(lb, servers[1], true);
  assert.match(run(lb, 3), /b/);
  setWeight(lb, servers[2], 2);
  const r = run(lb, 400);
  assert.equal([...r].filter((c) => c === 'c').length, 200);
});

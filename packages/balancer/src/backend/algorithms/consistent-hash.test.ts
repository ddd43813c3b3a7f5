import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newServerState, type ServerState } from '../server.ts';
import { serverSpec, setUp, setWeight } from './algorithm.case.ts';
import { ConsistentRing } from './consistent-hash.ts';
import { fullHash } from './hash-functions.ts';
import { ServerMap } from './server-map.ts';

const KEYS = Array.from({ length: 5000 }, (_, i) => fullHash(i * 2654435761));
const servers = () => ['a', 'b', 'c', 'd', 'e'].map((n) => newServerState(serverSpec(n)));
const owners = (ring: ConsistentRing) => KEYS.map((k) => ring.byHash(k, null)?.spec.name);
const moved = (a: (string | undefined)[], b: (string | undefined)[]) => a.filter((x, i) => x !== b[i]).length;

test('consistent hash: a server leaving moves only its own keys; coming back takes exactly them back', () => {
  const s = servers();
  const ring = new ConsistentRing(s, false);
  const lb = { name: 'ring', pick: () => null, update: () => ring.rebuild() };
  const before = owners(ring);
  setUp(lb, s[2], false);
  const during = owners(ring);
  for (let i = 0; i < KEYS.length; i++) {
    if (before[i] !== 'c') assert.equal(during[i], before[i], `key ${i} moved though its server stayed`);
    else assert.notEqual(during[i], 'c');
  }
  const share = before.filter((x) => x === 'c').length / KEYS.length;
  assert.ok(share > 0.1 && share < 0.3, `c had ${share} of the keys`);
  setUp(lb, s[2], true);
  assert.deepEqual(owners(ring), before);
});

test('consistent hash: a server joining takes keys only for itself', () => {
  const s = servers();
  const extra = newServerState(serverSpec('f', { id: 6 }));
  const all: ServerState[] = [...s, extra];
  extra.up = false;
  const ring = new ConsistentRing(all, false);
  const before = owners(ring);
  extra.up = true;
  ring.rebuild();
  const after = owners(ring);
  for (let i = 0; i < KEYS.length; i++) if (after[i] !== 'f') assert.equal(after[i], before[i]);
  assert.ok(after.filter((x) => x === 'f').length > 400);
});

test('consistent hash: a heavier server owns more points (weight × 16); a weight change moves few keys', () => {
  const s = servers();
  const ring = new ConsistentRing(s, false);
  const lb = { name: 'ring', pick: () => null, update: () => ring.rebuild() };
  const before = owners(ring);
  setWeight(lb, s[0], 2);
  const after = owners(ring);
  assert.ok(after.filter((x) => x === 'a').length > before.filter((x) => x === 'a').length * 1.4);
  assert.ok(moved(before, after) < KEYS.length * 0.25, `${moved(before, after)} keys moved`);
});

test('map-based hash, by contrast, moves most keys when a server leaves (why consistent exists)', () => {
  const s = servers();
  const map = new ServerMap(s, false);
  const before = KEYS.map((k) => map.byHash(k)?.spec.name);
  s[2].up = false;
  map.rebuild();
  const after = KEYS.map((k) => map.byHash(k)?.spec.name);
  assert.ok(moved(before, after) > KEYS.length * 0.5);
});

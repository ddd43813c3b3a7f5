import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type net from 'node:net';
import { test } from 'node:test';
import { ConnGate } from './conn-gate.ts';

function fakeSocket(): net.Socket {
  const e = new EventEmitter() as unknown as net.Socket & { destroyed: boolean };
  e.destroyed = false;
  (e as unknown as { resetAndDestroy: () => void }).resetAndDestroy = () => {
    e.destroyed = true;
  };
  return e;
}

test('global and frontend limits park connections in FIFO order and wake them on release', () => {
  const global = new ConnGate(2, null);
  const feA = new ConnGate(null, global);
  const feB = new ConnGate(1, global);
  const started: string[] = [];
  const start = (name: string) => () => started.push(name);
  feA.admit(fakeSocket(), start('a1'));
  feB.admit(fakeSocket(), start('b1'));
  feA.admit(fakeSocket(), start('a2')); // global full
  feB.admit(fakeSocket(), start('b2')); // frontend B full
  assert.deepEqual(started, ['a1', 'b1']);
  feA.release(); // a slot in global: a2 (B is still at its own limit)
  assert.deepEqual(started, ['a1', 'b1', 'a2']);
  feB.release();
  assert.deepEqual(started, ['a1', 'b1', 'a2', 'b2']);
  assert.equal(global.active, 2);
});

test('beyond the parking limit a connection is reset', () => {
  const g = new ConnGate(1, null, 1);
  const s1 = fakeSocket();
  const s2 = fakeSocket();
  const s3 = fakeSocket();
  g.admit(s1, () => {});
  g.admit(s2, () => {});
  g.admit(s3, () => {});
  assert.equal(s3.destroyed, true);
  assert.equal(g.parked.length, 1);
});

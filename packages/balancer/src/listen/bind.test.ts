import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listenOptions, listenText } from './bind.ts';

test('bind addresses become listen() options', () => {
  assert.deepEqual(listenOptions({ kind: 'inet', family: null, host: '', portMin: 80, portMax: 80 }, 511), [
    { host: '0.0.0.0', port: 80, backlog: 511 },
  ]);
  assert.deepEqual(
    listenOptions({ kind: 'inet', family: 6, host: '::', portMin: 8000, portMax: 8002 }, 10, true).map(
      listenText,
    ),
    ['[::]:8000', '[::]:8001', '[::]:8002'],
  );
  assert.equal(
    listenOptions({ kind: 'inet', family: 6, host: '::', portMin: 1, portMax: 1 }, 1, true)[0].ipv6Only,
    true,
  );
  assert.deepEqual(listenOptions({ kind: 'unix', path: '/run/x.sock' }, 5), [
    { path: '/run/x.sock', backlog: 5 },
  ]);
  assert.equal(listenText(listenOptions({ kind: 'fd', fd: 3 }, 5)[0]), 'fd@3');
});

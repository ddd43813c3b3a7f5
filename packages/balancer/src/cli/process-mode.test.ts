import assert from 'node:assert/strict';
import { test } from 'node:test';
import { processMode } from './process-mode.ts';

const flags = { daemon: false, foreground: false, debug: false, masterWorker: false, systemdMode: false };
const none = { daemon: false, masterWorker: false };

test("HAProxy's rule: background with -D/daemon unless -db, -d or -Ws; -W does not keep it in front", () => {
  assert.equal(processMode({ ...flags, daemon: true }, none).background, true);
  assert.equal(processMode(flags, { ...none, daemon: true }).background, true);
  for (const k of ['foreground', 'debug', 'systemdMode'] as const)
    assert.equal(processMode({ ...flags, [k]: true }, { ...none, daemon: true }).background, false, k);
  assert.equal(processMode({ ...flags, masterWorker: true }, { ...none, daemon: true }).background, true);
});

test('the pid file is written in the background or by a master only', () => {
  assert.equal(processMode(flags, none).writesPidfile, false);
  assert.equal(processMode(flags, { ...none, masterWorker: true }).writesPidfile, true);
  assert.equal(processMode({ ...flags, daemon: true }, none).writesPidfile, true);
});

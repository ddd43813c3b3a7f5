import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadHaproxyConfig } from '../../src/haproxy/index.ts';

/**
 * The language's verdicts (the model builds / it does not) agree with the real `haproxy -c` (2.6) on
 * every fixture, except for the deliberate differences listed in the README. (The balancer refuses
 * more — keywords it does not implement that decide access or routing; that is its own test.)
 * Skipped where HAProxy is not installed.
 */
const DIR = fileURLToPath(new URL('../fixtures/haproxy/', import.meta.url));
const DELIBERATE: Record<string, string> = {
  '12-global-full.cfg': 'health-socket is our keyword',
  '14-legacy-listen.cfg': 'the legacy address on the section line is only a warning here',
  '16-conditional-blocks.cfg': ".if feature(LUA) is false here (HAProxy's Debian build has Lua)",
};

const version = spawnSync('haproxy', ['-v'], { encoding: 'utf8', timeout: 10_000 });
const haproxy26 = version.status === 0 && /version 2\.6\./.test(version.stdout);

describe('corpus verdicts agree with haproxy -c', {
  skip: !haproxy26 && 'haproxy 2.6 is not installed',
}, () => {
  for (const file of readdirSync(DIR)
    .filter((f) => f.endsWith('.cfg'))
    .sort()) {
    test(file, () => {
      const oursValid = loadHaproxyConfig([join(DIR, file)], { env: {}, cwd: DIR }).config !== null;
      const r = spawnSync('haproxy', ['-c', '-f', file], { cwd: DIR, encoding: 'utf8', timeout: 10_000 });
      const theirsValid = r.status === 0;
      if (DELIBERATE[file]) assert.notEqual(oursValid, theirsValid, `${file}: ${DELIBERATE[file]}`);
      else assert.equal(oursValid, theirsValid, `${file}: haproxy -c says\n${r.stderr}`);
    });
  }
});

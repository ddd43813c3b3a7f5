// biome-ignore-all lint/suspicious/noTemplateCurlyInString: haproxy.cfg writes variables as ${NAME}
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadHaproxyConfig, parseHaproxyConfig } from '../../src/haproxy/index.ts';

/** A small deterministic PRNG (mulberry32), so a failure is reproducible from its seed. */
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SECTIONS = [
  'global',
  'defaults',
  'defaults d1',
  'frontend f',
  'backend b',
  'listen l',
  'userlist u',
  'frontend g from d1',
];
const WORDS = [
  'bind',
  ':80',
  '*:8080',
  '[::]:443',
  'server',
  's1',
  '10.0.0.1:80',
  'check',
  'inter',
  '2s',
  'rise',
  'fall',
  '3',
  'timeout',
  'client',
  'server',
  'connect',
  '10x',
  '5s',
  'option',
  'httplog',
  'forwardfor',
  'except',
  '10.0.0.0/8',
  'mode',
  'http',
  'tcp',
  'acl',
  'a',
  'path_beg',
  '/x',
  'use_backend',
  'b',
  'if',
  'unless',
  '!',
  '{',
  '}',
  'or',
  '||',
  'http-request',
  'deny',
  'redirect',
  'location',
  'set-header',
  'X',
  'return',
  'status',
  '200',
  'default_backend',
  'cookie',
  'SRV',
  'insert',
  'balance',
  'roundrobin',
  'uri',
  'stats',
  'enable',
  'auth',
  'a:b',
  'log',
  'global',
  'local0',
  'maxconn',
  '100',
  'user',
  'group',
  'insecure-password',
  'groups',
  'users',
  'errorfile',
  '503',
  '/x.http',
  'no',
  'default-server',
  'weight',
  '300',
  'hash-type',
  'consistent',
  'retries',
  'tcp-request',
  'content',
  'accept',
  '"q d"',
  "'s q'",
  '"${A[*]}"',
  '"$B"',
  '\\ ',
  '#c',
  'health-socket',
  '/run/h.sock',
  'mode',
  '600',
  'nbthread',
  '4',
];

test('random configurations never crash the parser and never build an invalid model', () => {
  const next = rng(20261125);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)];
  let valid = 0;
  for (let n = 0; n < 400; n++) {
    const lines: string[] = [];
    for (let i = 0; i < 25; i++) {
      if (next() < 0.15) lines.push(pick(SECTIONS));
      else {
        const count = 1 + Math.floor(next() * 6);
        lines.push(`    ${Array.from({ length: count }, () => pick(WORDS)).join(' ')}`);
      }
    }
    const text = lines.join('\n');
    const r = parseHaproxyConfig([{ path: 'fuzz.cfg', text }], {
      env: { A: 'x y', B: 'z' },
      readable: () => true,
    });
    assert.deepEqual(
      r.diagnostics.filter((d) => d.code === 'CFG_ERR_INTERNAL').map((d) => d.message),
      [],
      text,
    );
    assert.equal(
      r.config === null,
      r.diagnostics.some((d) => d.severity === 'alert'),
    );
    if (r.config) {
      valid++;
      assert.ok(Object.isFrozen(r.config));
    }
  }
  // Most random configurations are invalid; the point is that none throws.
  assert.ok(valid >= 0);
});

test('mutations of valid corpus files parse to a valid model or to alerts, never to a crash', () => {
  const dir = fileURLToPath(new URL('../fixtures/haproxy/', import.meta.url));
  const valid = readdirSync(dir)
    .filter((f) => f.endsWith('.cfg'))
    .filter((f) => loadHaproxyConfig([join(dir, f)], { env: {}, cwd: dir }).config !== null)
    .map((f) => readFileSync(join(dir, f), 'utf8'));
  const next = rng(7);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)];
  let models = 0;
  for (let n = 0; n < 600; n++) {
    const lines = pick(valid).split('\n');
    const words = lines.flatMap((l) => l.trim().split(/\s+/)).filter((w) => w && !w.startsWith('#'));
    for (let m = 0; m < 3; m++) {
      const i = Math.floor(next() * lines.length);
      const op = Math.floor(next() * 4);
      if (op === 0) lines.splice(i, 1);
      else if (op === 1) lines.splice(i, 0, lines[Math.floor(next() * lines.length)] ?? '');
      else if (op === 2) {
        const j = Math.floor(next() * lines.length);
        [lines[i], lines[j]] = [lines[j], lines[i]];
      } else {
        const parts = (lines[i] ?? '').split(' ');
        parts[Math.floor(next() * parts.length)] = pick(words);
        lines[i] = parts.join(' ');
      }
    }
    const text = lines.join('\n');
    const r = parseHaproxyConfig([{ path: 'm.cfg', text }], { env: {}, readable: () => true });
    assert.deepEqual(
      r.diagnostics.filter((d) => d.code === 'CFG_ERR_INTERNAL').map((d) => d.message),
      [],
      text,
    );
    assert.equal(
      r.config === null,
      r.diagnostics.some((d) => d.severity === 'alert'),
    );
    if (r.config) models++;
  }
  // Enough mutants stay valid for the schema and freezing to be exercised.
  assert.ok(models > 100, `only ${models} valid mutants`);
});

/**
 * Writes src/stats/field-tags.ts from the recorded `show stat typed` of the real haproxy
 * (stats-expected.json): each field's origin/nature/scope letters and value type, per line kind.
 *   node packages/balancer/test/stats/gen-field-tags.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const exp = JSON.parse(readFileSync(join(import.meta.dirname, 'stats-expected.json'), 'utf8')) as {
  replies: [string, string][];
};
const typed = exp.replies.find(([c]) => c === 'show stat typed')?.[1] ?? '';
const tags: Record<string, Record<string, string>> = { F: {}, B: {}, S: {} };
for (const line of typed.split('\n')) {
  const m = /^([FBS])\.\d+\.\d+\.\d+\.([^.]+)\.1:([A-Za-z]{3}):([a-z0-9]+):/.exec(line);
  if (m) tags[m[1]][m[2]] = `${m[3]}:${m[4]}`;
}
const out = `/**
 * The typed-output tags of each stats field (origin, nature, scope letters and value type), per line
 * kind, as the real haproxy 2.6 prints them in \`show stat typed\`. Generated from the recording by
 * test/stats/gen-field-tags.ts; do not edit.
 */
export const FIELD_TAGS: Record<'F' | 'B' | 'S', Record<string, string>> = ${JSON.stringify(tags, null, 2)};
`;
writeFileSync(join(import.meta.dirname, '../../src/stats/field-tags.ts'), out);
console.log('wrote src/stats/field-tags.ts');

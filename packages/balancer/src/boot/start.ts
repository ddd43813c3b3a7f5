// bin/balancer's entry point. Runs dist/balancer.mjs (scripts/bundle.ts: the command in one file, a
// third less start-up CPU) while every file it was made from is unchanged — ~270 stat calls, well
// under a millisecond — and otherwise the sources, src/cli.ts, with zod's locales trimmed as the
// bundle has them (zod-locales.ts). Worker processes (node:cluster) start through here too.
// BALANCER_NO_BUNDLE=1 runs the sources.
import { fileURLToPath } from 'node:url';
import { stampIsFresh } from './bundle-stamp.ts';

const dist = new URL('../../dist/', import.meta.url);

if (!process.env.BALANCER_NO_BUNDLE && stampIsFresh(fileURLToPath(new URL('balancer.inputs.json', dist))))
  await import(new URL('balancer.mjs', dist).href);
else {
  await import('./zod-locales.ts');
  await import('../cli.ts');
}

/**
 * Bundles the balancer's command (src/cli.ts and everything it imports) into one file,
 * dist/balancer.mjs, with esbuild. Node's module loader — resolving, reading and stripping ~270 files —
 * was about two thirds of the balancer's start-up (bench/startup.ts); one file cuts the CPU to the
 * first accepted connection by about a third, which is what a crash restart under `restart_grace` and
 * socket activation waits for.
 *
 *   node packages/balancer/scripts/bundle.ts [--outdir DIR]   # scripts/bootstrap.sh runs it after pnpm install
 *
 * dist/balancer.inputs.json lists the files the bundle was made from with their size and mtime;
 * src/boot/start.ts runs the bundle only while every one of them is unchanged, else the sources, so an
 * edited checkout never runs stale code. The native addon's package (@ha-lb/sd-notify loads its .node
 * file relative to itself) stays outside the bundle.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build, type Plugin } from 'esbuild';
import { stampOf } from '../src/boot/bundle-stamp.ts';

const pkg = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { outdir: { type: 'string' } } });
// another directory: a test's bundle, which bin/balancer does not run
const dist = resolve(values.outdir ?? join(pkg, 'dist'));

// the same replacement as src/boot/zod-locales.ts does for the sources: zod's locale index as just English
const zodEnglishOnly: Plugin = {
  name: 'zod-english-only',
  setup(b) {
    b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, () => ({
      contents: 'export { default as en } from "./en.js";\n',
      loader: 'js',
    }));
  },
};

const root = resolve(pkg, '../..');
const result = await build({
  // the metafile's input paths are relative to this
  absWorkingDir: root,
  entryPoints: [join(pkg, 'src/cli.ts')],
  outfile: join(dist, 'balancer.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  external: ['@ha-lb/sd-notify'],
  // CommonJS dependencies call require() for Node's modules; an ES module has none of its own
  banner: {
    js: "import { createRequire as __balancerRequire } from 'node:module';\nconst require = __balancerRequire(import.meta.url);",
  },
  plugins: [zodEnglishOnly],
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
});

const inputs = Object.keys(result.metafile.inputs).map((p) => resolve(root, p));
// the lockfile stands for the installed packages (pnpm install rewrites what it changes)
inputs.push(join(root, 'pnpm-lock.yaml'));
mkdirSync(dist, { recursive: true });
writeFileSync(join(dist, 'balancer.inputs.json'), `${JSON.stringify(stampOf(inputs))}\n`);
process.stdout.write(`bundle: ${join(dist, 'balancer.mjs')} from ${inputs.length} files\n`);

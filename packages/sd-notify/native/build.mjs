// `pnpm install` runs this (package.json "install"): builds the N-API addon with node-gyp.
// pnpm 12 is a native executable and no longer puts its bundled node-gyp on the scripts' PATH, so we
// find one: $npm_config_node_gyp, a node-gyp dependency, the copy shipped in the pnpm package next to
// $npm_execpath or in the repository's .tools, or `node-gyp` on PATH. Headers: node-gyp honours $npm_config_nodedir (the bootstrap
// points it at Node 24's), otherwise it uses the running Node's version.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const REL = join('node_modules', 'node-gyp', 'bin', 'node-gyp.js');

function findNodeGyp() {
  if (process.env.npm_config_node_gyp && existsSync(process.env.npm_config_node_gyp)) {
    return process.env.npm_config_node_gyp;
  }
  try {
    return createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js');
  } catch {}
  const exec = process.env.npm_execpath;
  if (exec) {
    for (let d = dirname(exec); d !== dirname(d); d = dirname(d)) {
      for (const c of [
        join(d, 'dist', REL),
        join(d, 'pnpm', 'dist', REL),
        join(d, 'node_modules', 'pnpm', 'dist', REL),
      ]) {
        if (existsSync(c)) return c;
      }
    }
  }
  // Run by hand (no $npm_execpath): the repository's own pnpm, installed by scripts/bootstrap.sh.
  for (let d = here; d !== dirname(d); d = dirname(d)) {
    const c = join(d, '.tools', 'pnpm', 'node_modules', 'pnpm', 'dist', REL);
    if (existsSync(c)) return c;
  }
  return null;
}

const gyp = findNodeGyp();
const args = ['rebuild', `--directory=${here}`];
const r = gyp
  ? spawnSync(process.execPath, [gyp, ...args], { stdio: 'inherit' })
  : spawnSync('node-gyp', args, { stdio: 'inherit' });
if (r.error) {
  console.error(`sd-notify: cannot run node-gyp (${r.error.message}); install it or set npm_config_node_gyp`);
  process.exit(1);
}
process.exit(r.status ?? 1);

// Records what keepalived 2.2.7 writes on SIGUSR1 (keepalived.data), SIGUSR2 (keepalived.stats) and
// its JSON signal (keepalived.json) into test/fixtures/keepalived-dumps/: two nodes on a bridge, node 0
// becoming MASTER (priority 150, trackers) and node 1 BACKUP, for each case. The agent's own dumps are
// tested against these files (test/dumps.test.ts) — never against its own output. Root only:
//   node packages/ha-agent/test/tools/capture-keepalived-dumps.ts [OUTDIR]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DUMP_CASES, dumpCaseConf } from '../support/dump-cases.ts';
import { createLab, spawnIn, stopProc } from '../support/netns.ts';
import { waitFor } from '../support/wait-for.ts';

const outDir = process.argv[2] ?? new URL('../fixtures/keepalived-dumps/', import.meta.url).pathname;
mkdirSync(outDir, { recursive: true });
const JSON_SIGNAL = Number(
  execFileSync('/usr/sbin/keepalived', ['--signum=JSON'], { encoding: 'utf8' }).trim(),
);

for (const c of DUMP_CASES) {
  const lab = createLab(2, c.net);
  try {
    const nodes = lab.nodes.map((node, i) => {
      const tmp = join(lab.dir, `tmp${i}`);
      mkdirSync(tmp);
      const conf = join(lab.dir, `node${i}.conf`);
      writeFileSync(conf, dumpCaseConf(c, i, lab.dir));
      const p = spawnIn(
        node.ns,
        '/usr/sbin/keepalived',
        ['-n', '-l', '-P', '-f', conf, '-p', join(lab.dir, `k${i}.pid`), '-r', join(lab.dir, `v${i}.pid`)],
        { ...process.env, TMPDIR: tmp },
      );
      return { p, tmp, pidfile: join(lab.dir, `k${i}.pid`) };
    });
    await waitFor(
      () =>
        /Entering MASTER STATE/.test(nodes[0].p.output()) &&
        /Entering BACKUP STATE/.test(nodes[1].p.output()),
      20_000,
      'node 0 MASTER, node 1 BACKUP',
      50,
    );
    // a few adverts exchanged, so the counters are not all zero
    await new Promise((r) => setTimeout(r, 3500));
    for (const [i, n] of nodes.entries()) {
      const pid = Number(readFileSync(n.pidfile, 'utf8'));
      for (const [sig, file] of [
        ['SIGUSR1', 'keepalived.data'],
        ['SIGUSR2', 'keepalived.stats'],
        [JSON_SIGNAL, 'keepalived.json'],
      ] as const) {
        process.kill(pid, sig);
        await waitFor(() => existsSync(join(n.tmp, file)), 5000, `${file} of node ${i}`, 20);
        await new Promise((r) => setTimeout(r, 100)); // keepalived writes in place: let it finish
        const role = i === 0 ? 'master' : 'backup';
        const text = readFileSync(join(n.tmp, file), 'utf8').split(lab.dir).join('@DIR@');
        writeFileSync(join(outDir, `${c.name}-${role}.${file.split('.')[1]}`), text);
      }
    }
    for (const n of nodes) await stopProc(n.p);
    console.log(`${c.name}: recorded`);
  } finally {
    lab.destroy();
  }
}

// SIGUSR1 / SIGUSR2 on a real agent write keepalived's data and stats dumps, in keepalived 2.2.7's
// format: the same keepalived.conf on the same two-node lab as test/fixtures/keepalived-dumps/ (recorded
// from keepalived by test/tools/capture-keepalived-dumps.ts), compared line by line after dropping the
// lines the agent does not have (test/support/dump-differences.ts, with the reasons) and masking what
// changes from run to run (times, MACs, advert counts).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DUMP_CASES, dumpCaseConf } from './support/dump-cases.ts';
import { expectedFromKeepalived, maskedLines, maskJson, maskStats } from './support/dump-differences.ts';
import { useLab } from './support/lab-fixture.ts';
import { agentStatus, isRoot, stopProc } from './support/netns.ts';
import { waitFor } from './support/wait-for.ts';

const FIXTURES = new URL('./fixtures/keepalived-dumps/', import.meta.url).pathname;
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

for (const c of DUMP_CASES) {
  describe(`SIGUSR1/SIGUSR2 dumps like keepalived 2.2.7: ${c.name}`, {
    skip: !isRoot && 'needs root (netns)',
  }, () => {
    const fx = useLab(2, c.net);

    it('writes keepalived.data and keepalived.stats to $TMPDIR, in keepalived’s format', async () => {
      const { lab } = fx;
      const tmp = [0, 1].map((i) => join(lab.dir, `tmp${i}`));
      const start = (i: number) => {
        mkdirSync(tmp[i]);
        return fx.startAgent(i, `node${i}`, dumpCaseConf(c, i, lab.dir), [], {
          ...process.env,
          TMPDIR: tmp[i],
        });
      };
      const states = (i: number) => {
        try {
          return agentStatus(lab.nodes[i].ns).instances.map((x) => x.state);
        } catch {
          return [];
        }
      };
      // node 0 first, so node 1 never holds the VIPs for a moment (its counters then match the recording)
      const agents = [start(0)];
      try {
        await waitFor(
          () => states(0).length > 0 && states(0).every((s) => s === 'MASTER'),
          25_000,
          'node 0 MASTER',
          50,
        );
        agents.push(start(1));
        await waitFor(
          () =>
            states(0).length > 0 &&
            states(0).every((s) => s === 'MASTER') &&
            states(1).length > 0 &&
            states(1).every((s) => s === 'BACKUP') &&
            agentStatus(lab.nodes[1].ns).instances.every((x) => x.master.address !== null),
          25_000,
          'node 0 MASTER, node 1 BACKUP of it',
          50,
        );
        for (const [i, a] of agents.entries()) {
          const role = i === 0 ? 'master' : 'backup';
          a.kill('SIGUSR1');
          const data = join(tmp[i], 'keepalived.data');
          await waitFor(() => existsSync(data), 5000, `${data}`);
          assert.equal(statSync(data).mode & 0o777, 0o600, 'mode 0600, as keepalived');
          const ours = readFileSync(data, 'utf8').split(lab.dir).join('@DIR@');
          assert.deepEqual(
            maskedLines(ours),
            expectedFromKeepalived(fixture(`${c.name}-${role}.data`)),
            `node ${i} (${role}) data dump`,
          );
          a.kill('SIGUSR2');
          const stats = join(tmp[i], 'keepalived.stats');
          await waitFor(() => existsSync(stats), 5000, `${stats}`);
          assert.deepEqual(
            maskStats(readFileSync(stats, 'utf8')),
            maskStats(fixture(`${c.name}-${role}.stats`)),
            `node ${i} (${role}) stats dump`,
          );
          await waitFor(
            () => /SIGUSR2 received: writing the stats dump/.test(a.output()),
            2000,
            'the log line',
          );
          // keepalived's JSON signal (keepalived --signum=JSON: 36, SIGRTMIN+2)
          process.kill(a.child.pid as number, 36);
          const json = join(tmp[i], 'keepalived.json');
          await waitFor(() => existsSync(json), 5000, `${json}`);
          assert.deepEqual(
            maskJson(JSON.parse(readFileSync(json, 'utf8'))),
            maskJson(JSON.parse(fixture(`${c.name}-${role}.json`))),
            `node ${i} (${role}) JSON dump`,
          );
          assert.equal(a.output().match(/SIGUSR1 received/g)?.length, 1, 'each signal logged once');
          rmSync(data);
        }
      } catch (err) {
        throw new Error(`${(err as Error).message}\n${fx.dump()}`);
      } finally {
        for (const a of agents) await stopProc(a);
      }
    });
  });
}

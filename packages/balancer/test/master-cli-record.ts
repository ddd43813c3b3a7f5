/**
 * Records HAProxy 2.6's master CLI replies (master-cli-run.ts) into master-cli-expected.json (never
 * hand-written):
 *   node packages/balancer/test/master-cli-record.ts
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runMasterCli } from './master-cli-run.ts';

export const MASTER_CLI_EXPECTED = join(import.meta.dirname, 'master-cli-expected.json');

if (import.meta.main) {
  const recordedWith = execFileSync('haproxy', ['-v'], { encoding: 'utf8' }).split('\n')[0];
  const version = /version (\S+)/.exec(recordedWith)![1];
  const r = await runMasterCli('haproxy', version);
  writeFileSync(MASTER_CLI_EXPECTED, `${JSON.stringify({ recordedWith, ...r }, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
}

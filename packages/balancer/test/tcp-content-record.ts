/**
 * Records HAProxy 2.6's answer to every row of tcp-content-cases.ts (and what `haproxy -c` says of
 * each configuration row):
 *   node packages/balancer/test/tcp-content-record.ts            # (re)write tcp-content-expected.json
 *   node packages/balancer/test/tcp-content-record.ts --balancer # show where the balancer differs
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { haproxyPath } from './support/proc.ts';
import { configText, TCP_CONTENT_CASES, TCP_CONTENT_CONFIG_CASES } from './tcp-content-cases.ts';
import { runTcpContentCases } from './tcp-content-run.ts';

export const TCP_CONTENT_EXPECTED_FILE = join(import.meta.dirname, 'tcp-content-expected.json');

export interface TcpContentExpectedFile {
  recordedWith: string;
  recordedAt: string;
  cases: Record<string, string>;
  /** `haproxy -c` on each config row: its exit status and its ALERT/WARNING lines (PID left out) */
  config: Record<string, { exit: number; lines: string[] }>;
}

/** `haproxy -c` on each row of TCP_CONTENT_CONFIG_CASES. */
function recordConfig(bin: string): TcpContentExpectedFile['config'] {
  const dir = mkdtempSync(join(tmpdir(), 'tcp-content-check-'));
  const out: TcpContentExpectedFile['config'] = {};
  try {
    for (const c of TCP_CONTENT_CONFIG_CASES) {
      writeFileSync(join(dir, 't.cfg'), configText(c.line));
      const r = spawnSync(bin, ['-c', '-f', 't.cfg'], { cwd: dir, encoding: 'utf8' });
      const lines = `${r.stderr}${r.stdout}`
        .split('\n')
        .filter((l) => /^\[(ALERT|WARNING)\]/.test(l))
        .map((l) => l.replace(/\(\d+\)/, '(PID)'));
      out[c.id] = { exit: r.status ?? -1, lines };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

if (import.meta.main) {
  const balancer = process.argv.includes('--balancer');
  if (balancer) {
    const want: TcpContentExpectedFile = JSON.parse(readFileSync(TCP_CONTENT_EXPECTED_FILE, 'utf8'));
    const got = await runTcpContentCases('balancer');
    let diff = 0;
    for (const c of TCP_CONTENT_CASES) {
      if (want.cases[c.id] === got[c.id]) continue;
      diff++;
      console.log(`DIFF ${c.id}\n--- haproxy\n${want.cases[c.id]}\n--- balancer\n${got[c.id]}\n`);
    }
    console.log(`${diff} of ${TCP_CONTENT_CASES.length} rows differ`);
  } else {
    const bin = haproxyPath();
    if (!bin) throw new Error('haproxy not found');
    const got = await runTcpContentCases('haproxy');
    const out: TcpContentExpectedFile = {
      recordedWith: execFileSync(bin, ['-v'], { encoding: 'utf8' }).split('\n')[0],
      recordedAt: new Date().toISOString(),
      cases: got,
      config: recordConfig(bin),
    };
    if (existsSync(TCP_CONTENT_EXPECTED_FILE)) console.log('rewriting', TCP_CONTENT_EXPECTED_FILE);
    writeFileSync(TCP_CONTENT_EXPECTED_FILE, `${JSON.stringify(out, null, 2)}\n`);
    console.log(`${Object.keys(got).length} rows recorded`);
  }
}

// What a real agent writes to stderr: with --log-format=json, every line is one JSON object without a
// duplicate key, through a run that exercises every logger (trackers of each kind, notify scripts,
// transitions, a dump, an ignored signal, a reload, the stop); under systemd (stderr = the journal,
// JOURNAL_STREAM) text lines carry their syslog priority and no timestamp.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, closeSync, fstatSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { useLab } from './support/lab-fixture.ts';
import { firstInstance, isRoot, keepalivedConf, stopProc } from './support/netns.ts';
import { parseJsonStrict } from './support/strict-json.ts';
import { waitFor } from './support/wait-for.ts';

const AGENT = new URL('../bin/ha-agent.js', import.meta.url).pathname;

describe('the agent’s log lines', { skip: !isRoot && 'needs root (netns)' }, () => {
  const fx = useLab(1, 71);

  function richConf(dir: string, priority: number): string {
    const failing = join(dir, 'notify-fail.sh');
    writeFileSync(failing, '#!/bin/sh\nexit 3\n');
    chmodSync(failing, 0o755);
    return `vrrp_script chk {\n  script "/bin/true"\n  interval 0.5\n  weight -10\n}\nvrrp_track_balancer lb {\n  socket ${dir}/no-balancer.sock\n  weight -5\n}\ntrack_file f {\n  file ${dir}/f\n  init_file 0\n}\nvrrp_track_process p {\n  process ha-nothing\n  weight -5\n}\n${keepalivedConf(
      {
        vrid: 71,
        priority,
        vip: '10.71.0.100/24',
        extra: `  notify ${failing}\n  track_script {\n    chk\n  }\n  track_balancer {\n    lb\n  }\n  track_file {\n    f\n  }\n  track_process {\n    p\n  }\n`,
      },
    )}`;
  }

  it('--log-format=json: every line of a full run parses, without a duplicate key', async () => {
    const { lab } = fx;
    const a = fx.startAgent(0, 'json', richConf(lab.dir, 200), ['--log-format=json'], {
      ...process.env,
      TMPDIR: lab.dir,
    });
    try {
      await waitFor(() => firstInstance(lab.nodes[0].ns)?.state === 'MASTER', 20_000, 'MASTER');
      await waitFor(() => /notify script failed/.test(a.output()), 5000, 'the failing notify script');
      a.kill('SIGUSR1');
      a.kill('SIGWINCH');
      await waitFor(() => /SIGWINCH received/.test(a.output()), 3000, 'the ignored signal');
      writeFileSync(join(lab.dir, 'json.conf'), richConf(lab.dir, 150));
      a.kill('SIGHUP');
      await waitFor(() => /configuration reloaded/.test(a.output()), 5000, 'the reload');
      await waitFor(
        () => firstInstance(lab.nodes[0].ns)?.effectivePriority === 140,
        10_000,
        'the new priority (150 - 5 balancer - 5 process)',
      );
      await stopProc(a);
      const lines = a.output().trimEnd().split('\n');
      const records = lines.map((l) => parseJsonStrict(l) as Record<string, unknown>);
      const msgs = records.map((r) => String(r.msg));
      for (const want of [
        /^Entering MASTER STATE$/,
        /^down \(health socket .* does not exist/,
        /^up \(.*holds 0\)$/,
        /^down \(0 processes with name ha-nothing/,
        /^notify script failed$/,
        /^Data dump written to /,
        /^SIGHUP received/,
        /^Stopped$/,
      ]) {
        assert.ok(
          msgs.some((m) => want.test(m)),
          `a line like ${want}`,
        );
      }
      const notify = records.find((r) => r.msg === 'notify script failed');
      assert.equal(notify?.instance, 'VI_1');
      const tracker = records.find((r) => r.tracker === 'lb');
      assert.equal(tracker?.kind, 'balancer');
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${fx.dump()}`);
    } finally {
      await stopProc(a);
    }
  });

  it('under systemd (stderr is the journal): `<6>(VI_1) Entering MASTER STATE`, no timestamp', async () => {
    const { lab } = fx;
    const file = join(lab.dir, 'journal.txt');
    const fd = openSync(file, 'w');
    const st = fstatSync(fd);
    const conf = join(lab.dir, 'journal.conf');
    writeFileSync(conf, keepalivedConf({ vrid: 72, priority: 200, vip: '10.71.0.101/24' }));
    const child = spawn(
      'ip',
      [
        'netns',
        'exec',
        lab.nodes[0].ns,
        process.execPath,
        AGENT,
        '-f',
        conf,
        '-p',
        join(lab.dir, 'j.pid'),
        '-r',
        join(lab.dir, 'j.vpid'),
      ],
      { stdio: ['ignore', 'ignore', fd], env: { ...process.env, JOURNAL_STREAM: `${st.dev}:${st.ino}` } },
    );
    closeSync(fd);
    const exited = new Promise((r) => child.once('exit', r));
    try {
      await waitFor(() => readFileSync(file, 'utf8').includes('Entering MASTER STATE'), 20_000, 'MASTER');
      const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
      assert.ok(
        lines.every((l) => /^<[2-7]>/.test(l)),
        lines.join('\n'),
      );
      assert.ok(
        lines.includes(
          '<6>(VI_1) Entering MASTER STATE from=BACKUP reason="master down timer expired" priority=200',
        ),
      );
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});

// Real signals to a real agent (keepalived's meanings; everything else an init system, a terminal or an
// operator may send is logged once and ignored), waiting on the effect: the log line, the state.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { SIGNAL_MEANINGS } from '../src/signals.ts';
import { useLab } from './support/lab-fixture.ts';
import { firstInstance, isRoot, keepalivedConf, stopProc } from './support/netns.ts';
import { waitFor } from './support/wait-for.ts';

const VIP = '10.70.0.100';
const conf = keepalivedConf({ vrid: 70, priority: 200, vip: `${VIP}/24` });
const IGNORED = Object.keys(SIGNAL_MEANINGS).filter(
  (s) => SIGNAL_MEANINGS[s] === 'ignore',
) as NodeJS.Signals[];

/** the process state letter in /proc/PID/stat: T = stopped */
function procState(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2)[0];
}

const count = (text: string, re: RegExp) => text.match(new RegExp(re, 'g'))?.length ?? 0;

describe('signals with keepalived’s meanings, the rest logged and ignored', {
  skip: !isRoot && 'needs root (netns)',
}, () => {
  const fx = useLab(1, 70);

  it('every other signal is logged once and changes nothing: no stop, no exit, still MASTER', async () => {
    const a = fx.startAgent(0, 'sig', conf);
    try {
      await waitFor(() => firstInstance(fx.lab.nodes[0].ns)?.state === 'MASTER', 20_000, 'MASTER');
      const pid = a.child.pid as number;
      for (const sig of IGNORED) {
        a.kill(sig);
        await waitFor(
          () => count(a.output(), new RegExp(`${sig} received: ignored`)) === 1,
          3000,
          `${sig} logged`,
        );
        assert.notEqual(procState(pid), 'T', `${sig} must not stop the process`);
      }
      // a second SIGPIPE (it may come from a closed stderr itself) is not logged again
      a.kill('SIGPIPE');
      a.kill('SIGHUP');
      await waitFor(() => /configuration reloaded/.test(a.output()), 5000, 'the reload after SIGHUP');
      assert.equal(count(a.output(), /SIGPIPE received/), 1);
      assert.equal(count(a.output(), /SIGHUP received: reloading the configuration/), 1);
      assert.equal(a.child.exitCode, null, 'still running');
      assert.equal(firstInstance(fx.lab.nodes[0].ns)?.state, 'MASTER');
      assert.ok(fx.on(0, VIP), 'the VIP stayed');
      assert.doesNotMatch(a.output(), /Debugger listening/, 'SIGUSR1 never opened the inspector');
      // SIGIO is also SIGPOLL, which execa's exit hook takes for fatal when alone on it
      assert.doesNotMatch(a.output(), /ip monitor exited/, 'no child process was killed by a signal');
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${fx.dump()}`);
    } finally {
      await stopProc(a);
    }
  });

  it('SIGTERM to the whole process group (systemd, Ctrl-C): a clean stop, no "ip monitor exited" warning', async () => {
    const a = fx.startAgent(0, 'group', conf, [], process.env, { detached: true });
    try {
      await waitFor(() => firstInstance(fx.lab.nodes[0].ns)?.state === 'MASTER', 20_000, 'MASTER');
      process.kill(-(a.child.pid as number), 'SIGTERM');
      const exit = await a.exited;
      assert.equal(exit.code, 0, fx.dump());
      assert.equal(count(a.output(), /SIGTERM received: stopping/), 1);
      assert.doesNotMatch(a.output(), /ip monitor exited/);
      assert.ok(!fx.on(0, VIP), 'the VIP is gone');
    } finally {
      await stopProc(a, 'SIGKILL');
    }
  });

  it('logs are keepalived-style text by default: `(VI_1) Entering MASTER STATE`', async () => {
    const a = fx.startAgent(0, 'text', conf);
    try {
      await waitFor(() => /\(VI_1\) Entering MASTER STATE/.test(a.output()), 20_000, 'the MASTER line');
      const line = a
        .output()
        .split('\n')
        .find((l) => l.includes('Entering MASTER STATE'));
      assert.match(
        line ?? '',
        /^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}: \(VI_1\) Entering MASTER STATE from=BACKUP reason="master down timer expired" priority=200$/,
      );
    } finally {
      await stopProc(a);
    }
  });
});

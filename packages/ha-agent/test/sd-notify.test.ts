// systemd's readiness protocol, read like systemd reads it (a socat datagram receiver): READY=1 once
// the instances run, with their states in STATUS=, STATUS= on every transition, RELOADING=1/READY=1
// around a SIGHUP, STOPPING=1 on SIGTERM. Debian's keepalived.service is Type=notify.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { useLab } from './support/lab-fixture.ts';
import { isRoot, keepalivedConf, stopProc } from './support/netns.ts';
import { waitFor } from './support/wait-for.ts';

const hasSocat = spawnSync('socat', ['-V']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'ha-agent-notify-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('sd_notify', {
  skip: (!isRoot && 'needs root (netns)') || (!hasSocat && 'socat is not installed'),
}, () => {
  const fx = useLab(1, 72);

  it('READY=1 with the instances in STATUS=, a STATUS= per transition, RELOADING=1/READY=1 on SIGHUP, STOPPING=1 on SIGTERM', async () => {
    const sock = join(dir, 'notify.sock');
    const socat = spawn('socat', ['-u', `UNIX-RECV:${sock}`, 'STDOUT'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let text = '';
    socat.stdout.on('data', (d) => {
      text += d;
    });
    await waitFor(() => existsSync(sock), 5000, 'socat listening');
    const a = fx.startAgent(
      0,
      'notify',
      keepalivedConf({ vrid: 72, priority: 200, vip: '10.72.0.100/24' }),
      [],
      {
        ...process.env,
        NOTIFY_SOCKET: sock,
      },
    );
    try {
      await waitFor(() => text.includes('READY=1'), 20_000, 'READY=1');
      assert.match(text, /^READY=1\nSTATUS=VI_1 (INIT|BACKUP|MASTER)\n/);
      await waitFor(() => /STATUS=VI_1 MASTER\n/.test(text), 20_000, 'the MASTER transition in STATUS=');
      const readies = text.split('READY=1').length;
      a.kill('SIGHUP');
      await waitFor(() => text.split('READY=1').length > readies, 10_000, 'READY=1 after the reload');
      assert.match(text, /RELOADING=1\nMONOTONIC_USEC=\d+\nSTATUS=reloading\n/);
      a.kill('SIGTERM');
      const exit = await a.exited;
      assert.equal(exit.code, 0);
      assert.match(text, /STOPPING=1\nSTATUS=stopping/);
    } catch (err) {
      throw new Error(`${(err as Error).message}\nnotify socket got:\n${text}\n${fx.dump()}`);
    } finally {
      await stopProc(a, 'SIGKILL');
      socat.kill('SIGKILL');
    }
  });
});

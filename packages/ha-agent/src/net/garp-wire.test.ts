import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, describe, it } from 'node:test';

const root = process.getuid?.() === 0;
const addon = new URL('../../native/build/Release/vrrp_native.node', import.meta.url).pathname;
const skip = !root ? 'needs root (network namespaces)' : !existsSync('/usr/bin/tshark') ? 'no tshark' : false;
const NS = `hagarp${process.pid}`;
const cli = new URL('../../test/support/garp-send-cli.ts', import.meta.url).pathname;

describe('gratuitous ARP / NA on a real link (netns veth, tshark)', { skip }, () => {
  const children: ChildProcess[] = [];
  after(() => {
    for (const c of children) c.kill('SIGKILL');
    try {
      execFileSync('ip', ['netns', 'del', NS]);
    } catch {}
  });

  let made = false;
  async function capture(
    extra: string[],
    count: number,
  ): Promise<{ summary: { sent: number; via: string }; frames: string[] }> {
    if (!made) {
      execFileSync('ip', ['netns', 'add', NS]);
      made = true;
    } else execFileSync('ip', ['-n', NS, 'link', 'del', 'a0']);
    const ip = (...a: string[]) => execFileSync('ip', ['-n', NS, ...a]);
    ip('link', 'add', 'a0', 'type', 'veth', 'peer', 'name', 'b0');
    ip('link', 'set', 'a0', 'address', '02:00:00:00:aa:01');
    ip('link', 'set', 'a0', 'up');
    ip('link', 'set', 'b0', 'up');

    const cap = spawn(
      'ip',
      [
        'netns',
        'exec',
        NS,
        'tshark',
        '-i',
        'b0',
        '-l',
        '-n',
        '-c',
        String(count),
        '-a',
        'duration:10',
        '-f',
        'arp or (icmp6 and ip6[40] == 136)',
        '-V',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(cap);
    let out = '';
    cap.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const exited = new Promise<void>((r) => cap.once('exit', () => r()));
    await new Promise<void>((resolve, reject) => {
      let err = '';
      cap.stderr!.on('data', (d: Buffer) => {
        err += d.toString();
        if (err.includes('Capturing on')) resolve();
      });
      cap.once('exit', () => reject(new Error(`tshark exited: ${err}`)));
    });

    const args = [
      cli,
      '--if',
      'a0',
      '--vip',
      '10.0.0.100',
      '--vip',
      '2001:db8::100',
      '--repeat',
      '3',
      '--delay',
      '0.5',
      ...extra,
    ];
    const sender = execFileSync('ip', ['netns', 'exec', NS, process.execPath, ...args], { encoding: 'utf8' });
    const summary = JSON.parse(sender.trim().split('\n').pop()!);
    await exited;
    return { summary, frames: out.split(/\n(?=Frame \d+:)/).filter((f) => f.startsWith('Frame')) };
  }
  const t = (f: string) => Number(/\[Time since reference or first frame: ([\d.]+) seconds\]/.exec(f)![1]);

  it('native sendLinkFrame: keepalived’s bursts (repeat at once, again after the delay); gratuitous ARPs and good NAs', {
    skip: !existsSync(addon) && 'native addon not built',
  }, async () => {
    const { summary, frames } = await capture(['--interval', '0.02'], 12);
    const out = frames.join('\n');
    const arps = frames.filter((f) => f.includes('Address Resolution Protocol'));
    const nas = frames.filter((f) => f.includes('Neighbor Advertisement'));
    {
      assert.equal(summary.via, 'native');
      assert.equal(summary.sent, 12);
      assert.equal(arps.length, 6, out);
      assert.equal(nas.length, 6, out);
      for (const a of arps) {
        assert.match(a, /\[Is gratuitous: True\]/);
        assert.match(a, /Sender MAC address: 02:00:00:00:aa:01/);
        assert.match(a, /Sender IP address: 10\.0\.0\.100/);
      }
      for (const n of nas) {
        assert.match(n, /\[Checksum Status: Good\]/);
        assert.match(n, /Hop Limit: 255/);
        assert.match(n, /Override/);
        assert.match(n, /Target Address: 2001:db8::100/);
      }
      // second burst about garp_master_delay (0.5 s) after the first; ARPs spaced by vrrp_garp_interval
      const at = arps.map(t);
      assert.ok(at[2] - at[0] >= 0.03, `first burst spaced by the interval: ${at}`);
      assert.ok(at[3] - at[0] >= 0.45 && at[3] - at[0] < 1.5, `second burst after the delay: ${at}`);
      console.log(
        `# wire: ${arps.length} GARPs + ${nas.length} NAs via native sendLinkFrame; bursts at ${at[0].toFixed(3)} and ${at[3].toFixed(3)} s`,
      );
    }
  });

  it('arping fallback: the same gratuitous ARPs (IPv4 only), bursts kept', async () => {
    const { summary, frames } = await capture(['--arping'], 6);
    assert.equal(summary.via, 'arping');
    const arps = frames.filter((f) => f.includes('Address Resolution Protocol'));
    assert.equal(arps.length, 6, frames.join('\n'));
    for (const a of arps) {
      assert.match(a, /\[Is gratuitous: True\]/);
      assert.match(a, /Sender MAC address: 02:00:00:00:aa:01/);
      assert.match(a, /Target IP address: 10\.0\.0\.100/);
    }
    assert.ok(t(arps[3]) - t(arps[0]) >= 0.4, 'second burst after the delay');
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../test/support/manual-clock.ts';
import { type Announcement, GarpScheduler, type GarpTiming, type GarpVip } from './garp-scheduler.ts';

function setup(
  timing: Partial<GarpTiming>,
  vips: GarpVip[] = [{ address: '10.0.0.100', family: 4, ifname: 'eth0' }],
) {
  const clock = new ManualClock();
  const sent: { t: number; a: Announcement }[] = [];
  const s = new GarpScheduler({
    vips,
    macOf: () => '02:00:00:00:00:01',
    send: (a) => sent.push({ t: clock.now(), a }),
    timing,
    clock,
  });
  return { clock, sent, s, times: () => sent.map((x) => x.t) };
}

describe('GarpScheduler (keepalived timing, fake clock)', () => {
  it('becoming MASTER: masterRepeat at once, synchronously; a second burst after masterDelay; nothing more', () => {
    const { clock, sent, s, times } = setup({ masterRepeat: 5, masterDelay: 5 });
    s.becomeMaster();
    assert.equal(sent.length, 5, 'the first burst leaves inside becomeMaster()');
    clock.advance(4999);
    assert.equal(sent.length, 5);
    clock.advance(1);
    assert.deepEqual(times(), [0, 0, 0, 0, 0, 5000, 5000, 5000, 5000, 5000]);
    clock.advance(60_000);
    assert.equal(sent.length, 10);
    assert.equal(clock.pending, 0);
  });

  it('VIP after VIP, repeated, on their own links; the right frame kinds', () => {
    const { sent, s } = setup({ masterRepeat: 2, masterDelay: 0 }, [
      { address: '10.0.0.100', family: 4, ifname: 'eth0' },
      { address: '2001:db8::100', family: 6, ifname: 'eth0' },
      { address: '10.1.0.1', family: 4, ifname: 'eth1' },
    ]);
    s.becomeMaster();
    assert.deepEqual(
      sent.map((x) => `${x.a.ifname} ${x.a.vip}`),
      [
        'eth0 10.0.0.100',
        'eth0 10.0.0.100',
        'eth0 2001:db8::100',
        'eth0 2001:db8::100',
        'eth1 10.1.0.1',
        'eth1 10.1.0.1',
      ],
    );
    assert.equal(sent[0].a.frame.readUInt16BE(12), 0x0806);
    assert.equal(sent[2].a.frame.readUInt16BE(12), 0x86dd);
  });

  it('vrrp_garp_interval spaces ARPs on one interface; vrrp_gna_interval spaces NAs separately', () => {
    const { clock, sent, s } = setup(
      { masterRepeat: 3, masterDelay: 0, garpInterval: 0.1, gnaInterval: 0.25 },
      [
        { address: '10.0.0.100', family: 4, ifname: 'eth0' },
        { address: '2001:db8::100', family: 6, ifname: 'eth0' },
      ],
    );
    s.becomeMaster();
    clock.advance(2000);
    const at = (fam: 4 | 6) => sent.filter((x) => x.a.family === fam).map((x) => x.t);
    assert.deepEqual(at(4), [0, 100, 200]);
    assert.deepEqual(at(6), [0, 250, 500]);
  });

  it('garp_master_refresh repeats masterRefreshRepeat periodically while MASTER; leaving MASTER stops all', () => {
    const { clock, sent, s } = setup({
      masterRepeat: 1,
      masterDelay: 0,
      masterRefresh: 60,
      masterRefreshRepeat: 2,
    });
    s.becomeMaster();
    clock.advance(180_000);
    assert.deepEqual(
      sent.map((x) => x.t),
      [0, 60_000, 60_000, 120_000, 120_000, 180_000, 180_000],
    );
    s.leaveMaster();
    assert.equal(clock.pending, 0);
    clock.advance(600_000);
    assert.equal(sent.length, 7);
  });

  it('leaving MASTER cancels the delayed burst and packets still queued by the interval', () => {
    const { clock, sent, s } = setup({ masterRepeat: 5, masterDelay: 5, garpInterval: 1 });
    s.becomeMaster();
    clock.advance(2500);
    assert.equal(sent.length, 3);
    s.leaveMaster();
    clock.advance(60_000);
    assert.equal(sent.length, 3);
    assert.equal(clock.pending, 0);
  });

  it('a lower-priority advert as MASTER: lowerPrioRepeat now and after lowerPrioDelay; ignored when not MASTER', () => {
    const { clock, sent, s } = setup({
      masterRepeat: 1,
      masterDelay: 0,
      lowerPrioRepeat: 2,
      lowerPrioDelay: 3,
    });
    s.lowerPriorityAdvert();
    assert.equal(sent.length, 0);
    s.becomeMaster();
    clock.advance(1000);
    s.lowerPriorityAdvert();
    clock.advance(5000);
    assert.deepEqual(
      sent.map((x) => x.t),
      [0, 1000, 1000, 4000, 4000],
    );
  });

  it('a failing sender is survived (and counted out of `sent`)', () => {
    const clock = new ManualClock();
    let calls = 0;
    const s = new GarpScheduler({
      vips: [{ address: '10.0.0.100', family: 4, ifname: 'eth0' }],
      macOf: () => '02:00:00:00:00:01',
      send: () => {
        calls++;
        throw new Error('ENETDOWN');
      },
      timing: { masterRepeat: 3, masterDelay: 0 },
      clock,
    });
    s.becomeMaster();
    assert.equal(calls, 3);
    assert.equal(s.sent, 0);
  });
});

#!/usr/bin/env node
/**
 * Announce VIPs as a new MASTER would, with the GarpScheduler and real frames — for the wire test, and
 * for an operator who wants to push a VIP's MAC to the switches by hand:
 *
 *   node packages/ha-agent/test/support/garp-send-cli.ts --if eth0 --vip 10.0.0.100 [--vip 2001:db8::100]
 *        [--repeat 5] [--delay 5] [--interval 0] [--gna-interval 0] [--vmac VRID] [--duration S] [--arping]
 *
 * Sends through the native addon's sendLinkFrame (AF_PACKET, needs CAP_NET_RAW); `--arping`, or a
 * missing addon, falls back to `arping -U` (IPv4 only). Stays MASTER for --duration seconds (default:
 * until the second burst has gone, plus a second), then prints `{"sent":N,"via":"native"|"arping"}` and exits.
 */
import { isIPv6 } from 'node:net';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import { vmacAddress } from '../../src/net/garp.ts';
import { type Announcement, type AnnouncementSender, GarpScheduler } from '../../src/net/garp-scheduler.ts';
import { interfaceMac, linkFrameSender } from '../../src/net/garp-senders.ts';

/**
 * Fallback without the native addon: IPv4 only, through Debian's `arping` (Thomas Habets' arping 2.x,
 * the one scripts/bootstrap.sh installs): `arping -q -U -S VIP -i IF -c 1 -w 0.2 VIP` puts the same
 * gratuitous ARP request on the wire (sender = target = VIP, target MAC broadcast) from the interface MAC.
 * Exit status 1 only means nobody answered, which is expected. Fire and forget; IPv6 NAs are skipped
 * (there is no standard tool for an unsolicited NA).
 */
function arpingSender(
  opts: { onError?: (err: Error) => void; arpingPath?: string } = {},
): AnnouncementSender {
  return (a: Announcement) => {
    if (a.family !== 4) return;
    const args = ['-q', '-U', '-S', a.vip, '-i', a.ifname, '-c', '1', '-w', '0.2', a.vip];
    execa(opts.arpingPath ?? 'arping', args, { reject: false, timeout: 5000, stdin: 'ignore' }).then((r) => {
      if (r.exitCode !== 0 && r.exitCode !== 1 && opts.onError) {
        opts.onError(
          new Error(`arping: ${String(r.stderr).trim() || r.shortMessage || `exit ${r.exitCode}`}`),
        );
      }
    });
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      if: { type: 'string' },
      vip: { type: 'string', multiple: true },
      repeat: { type: 'string', default: '5' },
      delay: { type: 'string', default: '5' },
      interval: { type: 'string', default: '0' },
      'gna-interval': { type: 'string', default: '0' },
      vmac: { type: 'string' },
      duration: { type: 'string' },
      arping: { type: 'boolean', default: false },
    },
  });
  const ifname = values.if;
  if (!ifname || !values.vip?.length) {
    process.stderr.write(
      'usage: garp-send-cli.ts --if IF --vip ADDR [--vip ADDR…] [--repeat N] [--delay S]\n',
    );
    process.exit(2);
  }
  let send: AnnouncementSender;
  let via: 'native' | 'arping' = 'native';
  if (values.arping) {
    send = arpingSender();
    via = 'arping';
  } else {
    try {
      const native = await import('../../src/net/native.ts');
      send = linkFrameSender(native.sendLinkFrame);
      native.interfaceIndex(ifname); // loads the addon now, so a missing one falls back before sending
    } catch (err) {
      process.stderr.write(
        `garp-send: native addon unavailable (${(err as Error).message}); using arping -U\n`,
      );
      send = arpingSender();
      via = 'arping';
    }
  }
  const vrid = values.vmac ? Number(values.vmac) : null;
  const delay = Number(values.delay);
  const s = new GarpScheduler({
    vips: values.vip.map((address) => ({ address, family: isIPv6(address) ? 6 : 4, ifname })),
    macOf: (dev) => (vrid === null ? interfaceMac(dev) : vmacAddress(vrid, 4)),
    send,
    timing: {
      masterRepeat: Number(values.repeat),
      masterDelay: delay,
      garpInterval: Number(values.interval),
      gnaInterval: Number(values['gna-interval']),
    },
  });
  s.becomeMaster();
  // Default: until the second burst, spaced by the intervals, has surely gone (plus a generous margin for
  // a loaded machine: leaving MASTER cancels whatever is still queued).
  const spacing = Math.max(Number(values.interval), Number(values['gna-interval'])) * 1000;
  const stayMs =
    values.duration !== undefined
      ? Number(values.duration) * 1000
      : delay * 1000 + Number(values.repeat) * values.vip.length * spacing + 1000;
  await new Promise((r) => setTimeout(r, stayMs));
  s.leaveMaster();
  process.stdout.write(`${JSON.stringify({ sent: s.sent, via })}\n`);
}

await main();

#!/usr/bin/env node
/**
 * Announce VIPs as a new MASTER would, with the GarpScheduler and real frames — for the wire test, and
 * for an operator who wants to push a VIP's MAC to the switches by hand:
 *
 *   node packages/ha-agent/src/net/garp-send-cli.ts --if eth0 --vip 10.0.0.100 [--vip 2001:db8::100]
 *        [--repeat 5] [--delay 5] [--interval 0] [--gna-interval 0] [--vmac VRID] [--duration S] [--arping]
 *
 * Sends through the native addon's sendLinkFrame (AF_PACKET, needs CAP_NET_RAW); `--arping`, or a
 * missing addon, falls back to `arping -U` (IPv4 only). Stays MASTER for --duration seconds (default:
 * until the second burst has gone, plus a second), then prints `{"sent":N,"via":"native"|"arping"}` and exits.
 */
import { isIPv6 } from 'node:net';
import { parseArgs } from 'node:util';
import { vmacAddress } from './garp.ts';
import { type AnnouncementSender, GarpScheduler } from './garp-scheduler.ts';
import { arpingSender, interfaceMac, linkFrameSender } from './garp-senders.ts';

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
      const native = await import('./native.ts');
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

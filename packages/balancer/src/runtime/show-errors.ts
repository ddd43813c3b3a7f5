/**
 * `show errors`, as HAProxy 2.6 prints it (recorded byte for byte in
 * test/stats/show-errors-expected.json): the number of invalid messages captured, then for each
 * frontend's last invalid request its time, source and event number, HAProxy's buffer and parser
 * description (where it stopped and in which state, http/error-snapshot.ts) and the dump of the bytes.
 */
import { dumpText, locateRequestError } from '../http/error-snapshot.ts';
import { logDate } from '../log/log-date.ts';
import type { StatsRuntime } from '../stats/stats-runtime.ts';

/** HAProxy's request buffer: the capture's free space and wrap point are reckoned against it. */
const HTX_OVERHEAD = 48;
const hex8 = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

export function showErrors(rt: StatsRuntime, now = Date.now()): string {
  let total = 0;
  let body = '';
  for (const fe of rt.frontends) {
    total += fe.invalidRequests.count;
    const e = fe.invalidRequests.last;
    if (e === null) continue;
    const where = locateRequestError(e.bytes, e.headEnd, e.error);
    const uuid = rt.proxies.find((p) => p.frontend === fe)?.uuid ?? 0;
    body +=
      ` \n[${logDate(e.at)}] frontend ${fe.spec.name} (#${uuid}): invalid request\n` +
      `  backend <NONE> (#-1), server <NONE> (#-1), event #${e.event}, src ${e.src}\n` +
      `  buffer starts at 0 (including 0 out), ${e.bufsize - e.bytes.length} free,\n` +
      `  len ${e.bytes.length}, wraps at ${e.bufsize - HTX_OVERHEAD}, error at position ${where.pos}\n` +
      `  H1 connection flags ${hex8(0x100)}, H1 stream flags ${hex8(0x810)}\n` +
      `  H1 msg state ${where.state}(${where.stateNum}), H1 msg flags ${hex8(where.msgFlags)}\n` +
      `  H1 chunk len ${where.bodyLen} bytes, H1 body len ${where.bodyLen} bytes :\n` +
      `  \n${dumpText(e.bytes)}`;
  }
  return `Total events captured on [${logDate(now)}] : ${total}\n${body}\n`;
}

/**
 * `show sess <id>` (the detailed dump of one stream) and `show sess` with an unknown id, on
 * haproxy 2.6 (show-sess-detail-record.ts writes show-sess-detail-expected.json) and the balancer
 * (show-sess-detail.test.ts compares). The stream is a request waiting for a server that never
 * answers. Compared: every line's shape and the stream's identity (proto, source, frontend, listener,
 * backend, server and their ids and modes, addresses, the transaction's method, status and states,
 * the connections' layers, byte totals); masked: pointers, dates, ports, ids and HAProxy's internal
 * flags, counters and timers (maskDetail).
 */
import { join } from 'node:path';
import { makeTempDir } from '../support/env.ts';
import { freePorts } from '../support/ports.ts';
import { type ProxyKind, startProxy } from '../support/proc.ts';
import { openClient } from '../support/raw-client.ts';
import { startRawServer } from '../support/raw-server.ts';
import { statsCommand } from '../support/stats-socket.ts';
import { waitFor } from '../support/wait-for.ts';

/** Keys whose values are HAProxy's internals (flags, pointers, counters, timers): masked. */
const INTERNAL =
  /\b(id|flags|f|an|fd|fd\.state|updt|fd\.tmask|tmask|calls|rate|exp|endp|sub|conn_et|srv_conn|pend_pos|task|txn|nice|age|epoch|waiting|conn_retries|conn_exp|an_exp|rex|wex|buf|o|p|i|size|htx|used|wrap|extra|req\.f|rsp\.f|pipe|tofwd|target|scf|scb|req|res|co0|co1)=(\S*?)(?=[ ,)]|$)/gm;

export function maskDetail(text: string): string {
  return text
    .replace(/^0x[0-9a-f]+: \[[^\]]+\]/m, 'PTR: [DATE]')
    .replace(/0x[0-9a-f]{9,}|\(nil\)/g, 'PTR')
    .replace(INTERNAL, '$1=X')
    .replace(/(\d+\.\d+\.\d+\.\d+):\d+/g, '$1:PORT')
    .replace(/\(id=\d+ /g, '(id=N ')
    .replace(/\(id=\d+\)/g, '(id=N)');
}

export async function runShowSessDetail(kind: ProxyKind): Promise<{ detail: string; unknown: string }> {
  const tmp = makeTempDir('show-sess');
  const sock = join(tmp.dir, 'stats.sock');
  const up = await startRawServer(() => {});
  const [fe] = await freePorts(1);
  const cfg = `global\n    stats socket ${sock} mode 600 level admin\ndefaults\n    mode http\n    timeout connect 2s\n    timeout client 30s\n    timeout server 30s\nfrontend fe\n    bind 127.0.0.1:${fe}\n    default_backend web\nbackend web\n    server s1 127.0.0.1:${up.port}\n`;
  const proxy = await startProxy(kind, cfg, [fe]);
  const c = openClient(fe);
  try {
    c.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
    await c.connected;
    let ptr = '';
    await waitFor(async () => {
      ptr =
        /^(0x[0-9a-f]+): proto=tcpv4 .* fe=fe .*srv=s1/m.exec(await statsCommand(sock, 'show sess'))?.[1] ??
        '';
      return ptr !== '';
    }, 5000);
    const detail = maskDetail(await statsCommand(sock, `show sess ${ptr}`));
    const unknown = await statsCommand(sock, 'show sess 0x1234');
    return { detail, unknown };
  } finally {
    c.sock.destroy();
    await proxy.stop();
    await up.close();
    tmp.remove();
  }
}

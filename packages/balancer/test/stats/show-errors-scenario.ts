/**
 * `show errors` after each of a few malformed requests, on haproxy 2.6 (show-errors-record.ts writes
 * show-errors-expected.json) and the balancer (show-errors.test.ts compares byte for byte): the
 * capture's description, the parser's position and state, and the dump. Masked: the dates and the
 * client's port.
 */
import { join } from 'node:path';
import { makeTempDir } from '../support/env.ts';
import { freePorts } from '../support/ports.ts';
import { type ProxyKind, startProxy } from '../support/proc.ts';
import { exchange } from '../support/raw-client.ts';
import { statsCommand } from '../support/stats-socket.ts';

/** name → the bytes sent */
export const BAD_REQUESTS: Record<string, string> = {
  'space in the URI': 'GET /a b HTTP/1.1\r\nHost: x\r\n\r\n',
  'space in a header name': 'GET / HTTP/1.1\r\nBad Name: y\r\n\r\n',
  'bad method character': 'G(T / HTTP/1.1\r\n\r\n',
  'bad version': 'GET / HTTP/1.x\r\n\r\n',
  'space before the colon': 'GET / HTTP/1.1\r\nHost : x\r\n\r\n',
  'bad Content-Length': 'GET / HTTP/1.1\r\nContent-Length: abc\r\n\r\n',
  'control character in the URI': 'GET /\x01 HTTP/1.1\r\n\r\n',
  'two different Content-Length': 'GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n',
  'HTTP/1.0, bad header name': 'GET / HTTP/1.0\r\nX-A: 1\r\nBad\x7fName: y\r\n\r\n',
  'a long line, escapes and a backslash': `GET /${'x'.repeat(70)}\\\t\x02 HTTP/1.1\r\n\r\n`,
};

export function maskErrors(reply: string): string {
  return reply
    .replace(/\[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d\.\d{3}\]/g, '[DATE]')
    .replace(/src 127\.0\.0\.1:\d+/g, 'src 127.0.0.1:PORT');
}

export async function runShowErrors(kind: ProxyKind): Promise<Record<string, string>> {
  const tmp = makeTempDir('show-errors');
  const sock = join(tmp.dir, 'stats.sock');
  const [fe] = await freePorts(1);
  const cfg = `global\n    stats socket ${sock} mode 600 level admin\ndefaults\n    mode http\n    timeout connect 1s\n    timeout client 3s\n    timeout server 3s\nfrontend fe\n    bind 127.0.0.1:${fe}\n    http-request return status 200 content-type text/plain string ok\n`;
  const proxy = await startProxy(kind, cfg, [fe]);
  const out: Record<string, string> = {};
  try {
    for (const [name, req] of Object.entries(BAD_REQUESTS)) {
      await exchange(fe, Buffer.from(req, 'latin1'), { ms: 3000 });
      out[name] = maskErrors(await statsCommand(sock, 'show errors'));
    }
    return out;
  } finally {
    await proxy.stop();
    tmp.remove();
  }
}

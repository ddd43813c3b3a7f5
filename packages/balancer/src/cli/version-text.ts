/**
 * `-v` / `-vv` in the shape of HAProxy's (tools grep the first line for the version), telling what is
 * true of this build: our version, the configuration language we follow, the runtime and libraries
 * in place of HAProxy's build options, and which optional features exist.
 */
import os from 'node:os';
import { COMPAT_VERSION } from '@ha-lb/shared-config/haproxy';
import { BALANCER_VERSION } from '../version.ts';

export function versionText(level: 1 | 2): string {
  const v = process.versions;
  const lines = [
    `balancer version ${BALANCER_VERSION} - haproxy.cfg compatible (HAProxy ${COMPAT_VERSION} configuration language and behaviour)`,
    `Status: development version of the ha-lb project (balancer + ha-agent).`,
    `Running on: ${os.type()} ${os.release()} ${os.version()} ${os.machine()}`,
  ];
  if (level > 1) {
    lines.push(
      'Build options :',
      `  RUNTIME = Node.js ${process.version} (TypeScript sources run directly)`,
      `  V8      = ${v.v8}`,
      `  LIBUV   = ${v.uv}`,
      '',
      'Feature list : +EPOLL(libuv) +GETADDRINFO(libuv) +SYSTEMD(sd_notify) -CPU_AFFINITY -LUA -OPENSSL(planned) -PCRE -PROMEX(planned) -QUIC -THREAD -TPROXY -ZLIB(planned)',
      '',
      'Default settings :',
      '  bufsize = 16384, maxrewrite = 1024, maxhdr = 101',
      '',
      `Built with OpenSSL version : ${v.openssl} (Node's; TLS termination is planned)`,
      `Built with zlib version : ${v.zlib} (Node's; compression is planned)`,
      'Built without Lua support (Lua is not supported).',
      'Built without PCRE support (regular expressions are ECMAScript, V8 irregexp).',
      '',
      'Available polling systems :',
      '  libuv (epoll) : the only one',
      '',
      'Available multiplexer protocols :',
      '  <default> : mode=HTTP  side=FE|BE  mux=H1',
      '  <default> : mode=TCP   side=FE|BE  mux=PASS',
      '',
      'Available services : none',
      'Available filters : none',
    );
  }
  return `${lines.join('\n')}\n`;
}

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseProcNetTcp, parseProcNetUnix, useInheritedSockets } from './systemd-fds.ts';

const HEAD =
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';

test('/proc/net/tcp and tcp6 rows: listening sockets only, addresses decoded from host-endian words', () => {
  const v4 = `${HEAD}   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1234 1 0\n   1: 0100007F:1F91 0100007F:9999 01 00000000:00000000 00:00000000 00000000     0        0 99 1 0\n`;
  assert.deepEqual(parseProcNetTcp(v4, 4), [
    { inode: '1234', address: { kind: 'inet', family: 4, host: '127.0.0.1', port: 8080 } },
  ]);
  const v6 = `${HEAD}   0: 00000000000000000000000001000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 77 1 0\n   1: 00000000000000000000000000000000:01BB 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 78 1 0\n`;
  assert.deepEqual(
    parseProcNetTcp(v6, 6).map((r) => [r.inode, r.address.host, r.address.port]),
    [
      ['77', '::1', 80],
      ['78', '::', 443],
    ],
  );
  const unix =
    'Num       RefCount Protocol Flags    Type St Inode Path\n0000000000000000: 00000002 00000000 00010000 0001 01 555 /run/x.sock\n0000000000000000: 00000002 00000000 00000000 0001 03 556 /run/y.sock\n';
  assert.deepEqual(parseProcNetUnix(unix), [
    { inode: '555', address: { kind: 'unix', path: '/run/x.sock' } },
  ]);
});

test('binds are matched to inherited sockets by address; `*` is 0.0.0.0; fd@N binds claim their fd', () => {
  const bind = (address: object, line: number) => ({ address, text: '', file: 'h.cfg', line }) as never;
  const config = {
    global: {},
    backends: new Map(),
    frontends: [
      {
        binds: [
          bind({ kind: 'inet', family: null, host: '*', portMin: 80, portMax: 80 }, 2),
          bind({ kind: 'inet', family: 6, host: '::1', portMin: 443, portMax: 443 }, 3),
          bind({ kind: 'fd', fd: 5 }, 4),
          bind({ kind: 'inet', family: null, host: '127.0.0.1', portMin: 81, portMax: 81 }, 5),
        ],
      },
    ],
  } as never;
  const r = useInheritedSockets(config, [
    { fd: 3, inode: '1', name: 'web', address: { kind: 'inet', family: 4, host: '0.0.0.0', port: 80 } },
    { fd: 4, inode: '2', name: 'tls', address: { kind: 'inet', family: 6, host: '::1', port: 443 } },
    { fd: 5, inode: '3', name: 'named', address: null },
    { fd: 6, inode: '4', name: 'spare', address: { kind: 'inet', family: 4, host: '127.0.0.1', port: 9 } },
  ]);
  const binds = (r.config as { frontends: { binds: { address: unknown }[] }[] }).frontends[0]!.binds;
  assert.deepEqual(
    binds.map((b) => b.address),
    [
      { kind: 'fd', fd: 3 },
      { kind: 'fd', fd: 4 },
      { kind: 'fd', fd: 5 },
      { kind: 'inet', family: null, host: '127.0.0.1', portMin: 81, portMax: 81 },
    ],
  );
  assert.deepEqual(
    r.unused.map((s) => s.fd),
    [6],
  );
});

/**
 * TLS to servers (`server … ssl`) and for their checks (`check-ssl`), with Node's `tls`. HAProxy's
 * semantics: `verify required` checks the chain against `ca-file` and, when `verifyhost` or `sni` gives
 * a name, that the certificate carries it (no name: the chain only — an IP address is not checked);
 * no SNI unless `sni` says so; the last session with a server is resumed on the next connection
 * (`ssl-reuse`, on by default), so a pool of connections costs one full handshake per server, not one
 * per connection.
 */
import type tls from 'node:tls';
import { cipherString, lazyTls } from './bind-tls.ts';
import type { ServerTlsSpec } from './tls-spec.ts';

interface Prepared {
  options: tls.ConnectionOptions;
  /** the last session ticket/ID this server gave (ssl-reuse) */
  session: Buffer | undefined;
}

const prepared = new WeakMap<ServerTlsSpec, Prepared>();

function prepare(spec: ServerTlsSpec): Prepared {
  let p = prepared.get(spec);
  if (p !== undefined) return p;
  const ciphers = cipherString(spec.ciphers, spec.ciphersuites);
  const name = spec.verifyHost ?? spec.sni;
  const context = lazyTls().createSecureContext({
    ...(spec.ca !== null ? { ca: spec.ca } : {}),
    ...(spec.crl !== null ? { crl: spec.crl } : {}),
    ...(spec.cert !== null && spec.key !== null ? { cert: spec.cert, key: spec.key } : {}),
    ciphers,
    minVersion: spec.minVersion,
    maxVersion: spec.maxVersion,
  });
  const options: tls.ConnectionOptions = {
    secureContext: context,
    rejectUnauthorized: spec.verify === 'required',
    checkServerIdentity:
      name === null ? () => undefined : (_host, cert) => lazyTls().checkServerIdentity(name, cert),
    ...(spec.sni !== null ? { servername: spec.sni } : {}),
    ...(spec.alpn !== null ? { ALPNProtocols: spec.alpn } : {}),
  };
  p = { options, session: undefined };
  prepared.set(spec, p);
  return p;
}

export interface TlsTarget {
  host: string;
  port: number;
  path: string | null;
}

/** Opens a TLS connection to a server (`secureConnect` is its "connected"). */
export function connectTls(
  spec: ServerTlsSpec,
  to: TlsTarget,
  extra: { allowHalfOpen?: boolean; noDelay?: boolean } = {},
): tls.TLSSocket {
  const p = prepare(spec);
  const socket = lazyTls().connect({
    ...p.options,
    ...(to.path ? { path: to.path } : { host: to.host, port: to.port }),
    ...extra,
    ...(spec.reuse && p.session !== undefined ? { session: p.session } : {}),
  });
  if (spec.reuse)
    socket.on('session', (s: Buffer) => {
      p.session = s;
    });
  return socket;
}

/** Forgets the session to resume (after a failed handshake, HAProxy drops it too). */
export function forgetSession(spec: ServerTlsSpec): void {
  const p = prepared.get(spec);
  if (p !== undefined) p.session = undefined;
}

/**
 * The WebSocket handshake's key and accept (RFC 6455 §4.1–4.2), for the one place the balancer takes
 * part in it: an HTTP/2 WebSocket (RFC 8441) carries no key, so the HTTP/1.1 Upgrade sent on for it
 * gets one made up here, and the server's Sec-WebSocket-Accept is checked against it (HAProxy 2.6
 * answers 502 when it does not match: recorded in test/h2-ws-expected.json).
 */
import { createHash, randomBytes } from 'node:crypto';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** 16 random bytes, base64. */
export function newWsKey(): string {
  return randomBytes(16).toString('base64');
}

/** The Sec-WebSocket-Accept a server answers `key` with. */
export function wsAcceptOf(key: string): string {
  return createHash('sha1')
    .update(key + GUID)
    .digest('base64');
}

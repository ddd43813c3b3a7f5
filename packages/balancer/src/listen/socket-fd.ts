import type net from 'node:net';

/**
 * The file descriptor under a Node socket or listening server (libuv's handle), or -1 while it has none
 * (not connected yet, closed, or not a file descriptor handle): for the system calls Node does not make
 * (writev before 'connect', SCM_RIGHTS transfers).
 */
export function fdOf(s: net.Socket | net.Server): number {
  return (s as unknown as { _handle?: { fd?: number } | null })._handle?.fd ?? -1;
}

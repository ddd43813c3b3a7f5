/**
 * systemd socket activation (sd_listen_fds(3)): with `LISTEN_PID` = our pid and `LISTEN_FDS` = N, fds
 * 3 … 3+N-1 are listening sockets systemd opened (named by `LISTEN_FDNAMES`, colon-separated). Each is
 * matched to the `bind` line with the same address, so haproxy.cfg keeps its addresses (`bind *:80`)
 * and the balancer serves on systemd's socket instead of binding its own; `bind fd@N` still names one
 * directly. A socket's address is read without touching the socket: /proc/self/fd/N gives its inode,
 * /proc/net/tcp{,6} (or /proc/net/unix) the local address of that inode.
 */
import { readFileSync, readlinkSync } from 'node:fs';
import type { BindAddress, EngineConfig } from '../engine/engine-config.ts';

export interface InheritedSocket {
  fd: number;
  /** the socket's inode ("" when unknown): a reload checks the fd is still this socket */
  inode: string;
  /** LISTEN_FDNAMES entry (systemd's FileDescriptorName=, default the unit name) */
  name: string;
  /** local address: inet, or a UNIX socket path; null when it could not be read */
  address:
    | { kind: 'inet'; family: 4 | 6; host: string; port: number }
    | { kind: 'unix'; path: string }
    | null;
}

const SD_LISTEN_FDS_START = 3;

/** The sockets systemd passed to this process (none unless LISTEN_PID is ours). */
export function inheritedSockets(
  env: NodeJS.ProcessEnv,
  pid = process.pid,
  proc = '/proc',
): InheritedSocket[] {
  if (env.LISTEN_PID === undefined || Number(env.LISTEN_PID) !== pid) return [];
  const n = Number(env.LISTEN_FDS ?? 0);
  if (!Number.isInteger(n) || n <= 0) return [];
  const names = (env.LISTEN_FDNAMES ?? '').split(':');
  const tables = readSocketTables(proc);
  const out: InheritedSocket[] = [];
  for (let i = 0; i < n; i++) {
    const fd = SD_LISTEN_FDS_START + i;
    const inode = inodeOf(fd, proc);
    const address = inode === '' ? null : (tables.get(inode) ?? null);
    out.push({ fd, inode, name: names[i] || 'unknown', address });
  }
  return out;
}

/** Sockets this process holds by other means (HAProxy's `-x` transfer): the same description. */
export function socketsOfFds(fds: readonly number[], name: string, proc = '/proc'): InheritedSocket[] {
  const tables = readSocketTables(proc);
  return fds.map((fd) => {
    const inode = inodeOf(fd, proc);
    return { fd, inode, name, address: inode === '' ? null : (tables.get(inode) ?? null) };
  });
}

function inodeOf(fd: number, proc: string): string {
  try {
    return /^socket:\[(\d+)\]$/.exec(readlinkSync(`${proc}/self/fd/${fd}`))?.[1] ?? '';
  } catch {
    return ''; // not open: reported as unmatched
  }
}

/**
 * The inherited sockets still open as they were: a reload that dropped an address closed its socket,
 * and the fd number may since belong to something else.
 */
export function stillOpen(sockets: readonly InheritedSocket[], proc = '/proc'): InheritedSocket[] {
  return sockets.filter((s) => s.inode !== '' && inodeOf(s.fd, proc) === s.inode);
}

/** inode → local address of every listening socket in /proc/net/{tcp,tcp6,unix}. */
function readSocketTables(proc: string): Map<string, NonNullable<InheritedSocket['address']>> {
  const m = new Map<string, NonNullable<InheritedSocket['address']>>();
  for (const [file, family] of [
    ['tcp', 4],
    ['tcp6', 6],
  ] as const) {
    let text = '';
    try {
      text = readFileSync(`${proc}/net/${file}`, 'latin1');
    } catch {
      continue;
    }
    for (const row of parseProcNetTcp(text, family)) m.set(row.inode, row.address);
  }
  try {
    for (const row of parseProcNetUnix(readFileSync(`${proc}/net/unix`, 'latin1')))
      m.set(row.inode, row.address);
  } catch {
    // no UNIX table: UNIX sockets stay unmatched
  }
  return m;
}

/** Listening rows of /proc/net/tcp or tcp6: the local address decoded (kernel words are host-endian). */
export function parseProcNetTcp(
  text: string,
  family: 4 | 6,
): { inode: string; address: { kind: 'inet'; family: 4 | 6; host: string; port: number } }[] {
  const out: { inode: string; address: { kind: 'inet'; family: 4 | 6; host: string; port: number } }[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || f[3] !== '0A') continue; // 0A = TCP_LISTEN
    const [hex, portHex] = f[1]!.split(':');
    out.push({
      inode: f[9]!,
      address: { kind: 'inet', family, host: decodeHost(hex!, family), port: Number.parseInt(portHex!, 16) },
    });
  }
  return out;
}

function decodeHost(hex: string, family: 4 | 6): string {
  const bytes: number[] = [];
  // each 32-bit word is printed as the host-endian integer (little-endian on every Linux we run on)
  for (let w = 0; w < hex.length; w += 8)
    for (let b = 6; b >= 0; b -= 2) bytes.push(Number.parseInt(hex.slice(w + b, w + b + 2), 16));
  if (family === 4) return bytes.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return compressV6(groups);
}

function compressV6(groups: string[]): string {
  // the longest run of zero groups becomes '::' (RFC 5952)
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** Listening rows of /proc/net/unix (flags 00010000 = __SO_ACCEPTCON) with a path. */
export function parseProcNetUnix(text: string): { inode: string; address: { kind: 'unix'; path: string } }[] {
  const out: { inode: string; address: { kind: 'unix'; path: string } }[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8 || f[3] !== '00010000') continue;
    out.push({ inode: f[6]!, address: { kind: 'unix', path: f[7]! } });
  }
  return out;
}

/** `*` / empty host: every IPv4 address, `::` with family 6: every IPv6 one (as listenOptions binds). */
function sameAddress(bind: BindAddress, s: NonNullable<InheritedSocket['address']>): boolean {
  if (bind.kind === 'unix') return s.kind === 'unix' && s.path === bind.path;
  if (bind.kind !== 'inet' || s.kind !== 'inet') return false;
  if (bind.portMin !== bind.portMax || bind.portMin !== s.port) return false;
  const host = bind.host === '' || bind.host === '*' ? (bind.family === 6 ? '::' : '0.0.0.0') : bind.host;
  return host === s.host || (host.includes(':') && s.family === 6 && compressV6(expand(host)) === s.host);
}

function expand(host: string): string[] {
  const [a, b] = host.split('::');
  const left = a ? a.split(':') : [];
  const right = b !== undefined && b !== '' ? b.split(':') : [];
  const fill = b === undefined ? [] : Array(8 - left.length - right.length).fill('0');
  return [...left, ...fill, ...right].map((g) => Number.parseInt(g, 16).toString(16));
}

/**
 * The configuration with every bind whose address systemd passed served from that socket (`fd@N`),
 * and what stayed unused: an inherited socket no bind names (by address or `fd@N`).
 */
export function useInheritedSockets(
  config: EngineConfig,
  sockets: readonly InheritedSocket[],
): { config: EngineConfig; unused: InheritedSocket[]; matched: { fd: number; bind: string }[] } {
  if (sockets.length === 0) return { config, unused: [], matched: [] };
  const used = new Set<number>();
  const matched: { fd: number; bind: string }[] = [];
  const frontends = config.frontends.map((fe) => ({
    ...fe,
    binds: fe.binds.map((b) => {
      if (b.address.kind === 'fd') {
        used.add(b.address.fd);
        return b;
      }
      const s = sockets.find(
        (x) => !used.has(x.fd) && x.address !== null && sameAddress(b.address, x.address),
      );
      if (s === undefined) return b;
      used.add(s.fd);
      matched.push({ fd: s.fd, bind: `${b.file}:${b.line}` });
      return { ...b, address: { kind: 'fd' as const, fd: s.fd } };
    }),
  }));
  return { config: { ...config, frontends }, unused: sockets.filter((s) => !used.has(s.fd)), matched };
}

export function describeSocket(s: InheritedSocket): string {
  const a = s.address;
  const where =
    a === null
      ? 'address unknown'
      : a.kind === 'unix'
        ? `unix@${a.path}`
        : a.family === 6
          ? `[${a.host}]:${a.port}`
          : `${a.host}:${a.port}`;
  return `fd@${s.fd} (${s.name}, ${where})`;
}

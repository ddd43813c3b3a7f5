import { readFile } from 'node:fs/promises';

/**
 * Link state as keepalived sees it (IFF_UP && IFF_RUNNING): administratively up AND carrier present.
 * Parsed from `ip -o link`/`ip -o monitor link` lines or read from sysfs. Pure parsing plus one reader.
 */
export interface LinkState {
  ifname: string;
  exists: boolean;
  up: boolean;
  /** e.g. 'UP', 'DOWN', 'LOWERLAYERDOWN', 'UNKNOWN', or 'DELETED' */
  operstate: string;
}

const LINE = /^(Deleted )?(?:\[[^\]]*\]\s*)?(\d+): ([^:@\s]+)(?:@[^:\s]+)?: <([^>]*)>(?:.*? state (\S+))?/;

/** One line of `ip -o link show` / `ip -o monitor link`; null for lines about something else. */
export function parseIpLinkLine(line: string): LinkState | null {
  const m = LINE.exec(line);
  if (!m) return null;
  const flags = new Set(m[4].split(','));
  if (m[1]) return { ifname: m[3], exists: false, up: false, operstate: 'DELETED' };
  return {
    ifname: m[3],
    exists: true,
    up: flags.has('UP') && flags.has('LOWER_UP') && !flags.has('NO-CARRIER'),
    operstate: m[5] ?? 'UNKNOWN',
  };
}

const IFF_UP = 0x1;

/** Reads /sys/class/net/IF (the agent's own network namespace only). */
export async function readSysfsLinkState(ifname: string, root = '/sys/class/net'): Promise<LinkState> {
  try {
    const [flags, operstate, carrier] = await Promise.all([
      readFile(`${root}/${ifname}/flags`, 'utf8'),
      readFile(`${root}/${ifname}/operstate`, 'utf8'),
      // reading carrier of an administratively down link fails with EINVAL: no carrier then
      readFile(`${root}/${ifname}/carrier`, 'utf8').catch(() => '0'),
    ]);
    const adminUp = (Number.parseInt(flags.trim(), 16) & IFF_UP) !== 0;
    return {
      ifname,
      exists: true,
      up: adminUp && carrier.trim() === '1',
      operstate: operstate.trim().toUpperCase(),
    };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      return { ifname, exists: false, up: false, operstate: 'ABSENT' };
    throw err;
  }
}

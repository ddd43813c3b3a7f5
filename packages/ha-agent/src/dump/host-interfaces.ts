// The network interfaces of the agent's namespace as the data dump lists them (keepalived's
// "Interfaces" section): sysfs for index, flags, MTU, type and MAC; os.networkInterfaces() for addresses.
import { readdirSync, readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';

export interface HostInterface {
  name: string;
  index: number;
  ipv4: string | null;
  /** the link-local address, as keepalived shows */
  ipv6: string | null;
  mac: string | null;
  broadcast: string | null;
  /** IFF_* flags */
  flags: number;
  /** IFF_RUNNING: sysfs `flags` leaves it out; the carrier says it */
  running: boolean;
  mtu: number;
  /** ARPHRD_* (1 ethernet, 772 loopback) */
  type: number;
}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

export function hostInterfaces(root = '/sys/class/net'): HostInterface[] {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  const addrs = networkInterfaces();
  const out: HostInterface[] = [];
  for (const name of names) {
    const index = Number(read(`${root}/${name}/ifindex`));
    if (!Number.isInteger(index) || index <= 0) continue;
    const list = addrs[name] ?? [];
    const type = Number(read(`${root}/${name}/type`) ?? 0);
    out.push({
      name,
      index,
      ipv4: list.find((a) => a.family === 'IPv4')?.address ?? null,
      ipv6:
        list.find((a) => a.family === 'IPv6' && a.address.toLowerCase().startsWith('fe80:'))?.address ?? null,
      mac: type === 1 ? read(`${root}/${name}/address`) : null,
      broadcast: type === 1 ? read(`${root}/${name}/broadcast`) : null,
      flags: Number.parseInt(read(`${root}/${name}/flags`) ?? '0', 16),
      running: read(`${root}/${name}/carrier`) === '1',
      mtu: Number(read(`${root}/${name}/mtu`) ?? 0),
      type,
    });
  }
  return out.sort((a, b) => a.index - b.index);
}

// `use_vmac`: a macvlan on the VRRP interface carrying the virtual router MAC 00:00:5e:00:01:VRID
// (IPv6: 00:00:5e:00:02:VRID), like keepalived. `mode private` keeps the parent from seeing the
// macvlan's own traffic as local.
import { execa } from 'execa';
import { HaError } from '../errors.ts';
import { vmacAddress } from './garp.ts';

/** The VMAC as `ip link` writes it (00:00:5e:00:01:VRID). */
export function vmacMac(vrid: number, family: 4 | 6): string {
  return [...vmacAddress(vrid, family)].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

export interface VmacOptions {
  /** the macvlan's name (`use_vmac NAME`, default vrrp.VRID) */
  name: string;
  /** the instance's interface */
  parent: string;
  vrid: number;
  family: 4 | 6;
}

async function ip(args: string[]): Promise<{ exitCode: number; stderr: string }> {
  const r = await execa('ip', args, { reject: false, timeout: 5000, stdin: 'ignore' });
  return { exitCode: r.exitCode ?? 1, stderr: String(r.stderr) };
}

/** Creates (or re-creates, after a crash) the VMAC interface and brings it up. */
export async function createVmac(opts: VmacOptions): Promise<void> {
  await ip(['link', 'del', opts.name]); // left behind by a crashed agent: start clean
  const mac = vmacMac(opts.vrid, opts.family);
  const add = await ip([
    'link',
    'add',
    'link',
    opts.parent,
    'name',
    opts.name,
    'address',
    mac,
    'type',
    'macvlan',
    'mode',
    'private',
  ]);
  if (add.exitCode !== 0)
    throw new HaError(
      'HA_ERR_VMAC',
      `cannot create VMAC ${opts.name} on ${opts.parent}: ${add.stderr.trim()}`,
    );
  const up = await ip(['link', 'set', opts.name, 'up']);
  if (up.exitCode !== 0)
    throw new HaError('HA_ERR_VMAC', `cannot bring ${opts.name} up: ${up.stderr.trim()}`);
}

export async function deleteVmac(name: string): Promise<void> {
  await ip(['link', 'del', name]);
}

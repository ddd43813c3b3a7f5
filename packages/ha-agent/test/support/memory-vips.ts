import type { InstanceVips } from '../../src/instance/vrrp-instance.ts';
import type { VipSpec } from '../../src/net/vip.ts';

/** The VIPs of one instance in memory: what `ip addr` would have on the link, and every call in order. */
export class MemoryVips implements InstanceVips {
  readonly present = new Set<string>();
  readonly calls: string[] = [];

  async add(vips: readonly VipSpec[]): Promise<void> {
    for (const v of vips) this.present.add(`${v.address}/${v.prefix}`);
    this.calls.push('add');
  }
  async remove(vips: readonly VipSpec[]): Promise<void> {
    for (const v of vips) this.present.delete(`${v.address}/${v.prefix}`);
    this.calls.push('remove');
  }
  async reconcile(vips: readonly VipSpec[], isMaster: boolean): Promise<VipSpec[]> {
    this.calls.push('reconcile');
    if (isMaster) return [];
    const removed = vips.filter((v) => this.present.has(`${v.address}/${v.prefix}`));
    for (const v of removed) this.present.delete(`${v.address}/${v.prefix}`);
    return removed;
  }
}

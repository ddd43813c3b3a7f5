// keepalived's JSON dump (`keepalived --signum=JSON`, keepalived.json): one object per instance with its
// `data` and `stats`, the keys keepalived 2.2.7 writes (test/fixtures/keepalived-dumps/*.json). Pure.
import type { InstanceDumpState } from '../instance/vrrp-instance.ts';
import type { ScriptTracker } from '../track/script.ts';
import { quoted, vipText } from './data-dump.ts';

/** keepalived's state numbers: VRRP_STATE_INIT 0, BACK 1, MAST 2, FAULT 3 */
const STATE_NUMBER: Record<string, number> = { INIT: 0, BACKUP: 1, MASTER: 2, FAULT: 3, STOP: 0 };

export function formatJsonDump(
  instances: readonly InstanceDumpState[],
  scripts: ReadonlyMap<string, ScriptTracker>,
  resolve: (cmd: string) => string = (c) => c,
): string {
  const out = instances.map((s) => {
    const c = s.config;
    const dev = c.useVmac ?? c.interface;
    const state = STATE_NUMBER[s.state] ?? 0;
    const trackScript = c.trackScripts.flatMap((r) => {
      const t = scripts.get(r.name);
      return t ? [quoted([resolve(t.argv[0]), ...t.argv.slice(1)])] : [];
    });
    const auth =
      c.version === 2 && c.authentication?.type === 'PASS'
        ? { auth_type: 1, auth_data: c.authentication.pass }
        : { auth_type: 0 };
    const k = s.counters;
    return {
      data: {
        iname: c.name,
        dont_track_primary: c.dontTrackPrimary ? 1 : 0,
        skip_check_adv_addr: c.skipCheckAdvAddr ? 1 : 0,
        strict_mode: c.strictMode ? 1 : 0,
        vmac_ifname: c.useVmac ?? '',
        ifp_ifname: c.interface,
        master_priority: s.state === 'BACKUP' && s.master !== null ? s.master.priority : 0,
        last_transition: Math.round(s.lastTransitionAt * 1000) / 1e6,
        garp_delay: Math.trunc(c.garpMasterDelay),
        garp_refresh: Math.trunc(c.garpMasterRefresh),
        garp_rep: c.garpMasterRepeat,
        garp_refresh_rep: c.garpMasterRefreshRepeat,
        garp_lower_prio_delay: Math.trunc(c.garpLowerPrioDelay),
        garp_lower_prio_rep: c.garpLowerPrioRepeat,
        lower_prio_no_advert: 0,
        higher_prio_send_advert: 0,
        vrid: c.virtualRouterId,
        base_priority: s.basePriority,
        effective_priority: s.effectivePriority,
        vipset: s.vipsInstalled,
        promote_secondaries: false,
        adver_int: c.advertInt,
        master_adver_int: s.masterAdverIntervalMs / 1000,
        accept: c.accept ? 1 : 0,
        nopreempt: c.nopreempt,
        preempt_delay: Math.trunc(c.preemptDelay),
        state,
        wantstate: state,
        version: c.version,
        smtp_alert: false,
        notify_deleted: false,
        vips: c.virtualIpaddresses.map((v) => vipText(v, dev, s.vipsInstalled)),
        ...(trackScript.length > 0 ? { track_script: trackScript } : {}),
        ...auth,
      },
      stats: {
        advert_rcvd: k.accepted,
        advert_sent: k.sent,
        become_master: s.becameMaster,
        release_master: s.releasedMaster,
        packet_len_err: k.length + k.too_short,
        advert_interval_err: k.advert_interval,
        ip_ttl_err: k.ttl,
        invalid_type_rcvd: k.type,
        addr_list_err: k.addr_count,
        invalid_authtype: 0,
        authtype_mismatch: k.auth_type,
        auth_failure: k.auth,
        pri_zero_rcvd: s.priorityZeroReceived,
        pri_zero_sent: s.priorityZeroSent,
      },
    };
  });
  return `${JSON.stringify(out)}\n`;
}

/** `show servers state [backend]`: HAProxy 2.6's version-1 server state dump (the server-state-file format). */

import { ADMIN_DRAIN, ADMIN_MAINT, type ServerState } from '../backend/server.ts';
import type { ServerHealth } from '../checks/scheduler.ts';
import type { StatsRuntime } from '../stats/stats-runtime.ts';
import { ADMIN_CMAINT, isDynamic } from './runtime-edits.ts';

const HEADER =
  '1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port\n';

/** enum healthcheck_status (check.h) */
const HCHK: Record<string, number> = {
  INI: 1,
  HANA: 4,
  SOCKERR: 5,
  L4OK: 6,
  L4TOUT: 7,
  L4CON: 8,
  L6OK: 9,
  L6TOUT: 10,
  L6RSP: 11,
  L7TOUT: 12,
  L7RSP: 13,
  L7OK: 15,
  L7OKC: 16,
  L7STS: 17,
};
/** CHK_RES_* */
const RESULT_PASSED = 3;
const RESULT_FAILED = 2;
const RESULT_CONDPASS = 4;
/** CHK_ST_* */
const ST_CONFIGURED = 0x02;
const ST_ENABLED = 0x04;
const ST_PAUSED = 0x08;

export function showServersState(
  rt: StatsRuntime,
  backend: string | null,
  monitorOf: (rt: StatsRuntime, s: ServerState) => ServerHealth | undefined,
): string {
  const proxies = rt.proxies.filter((p) => p.backend !== null && (backend === null || p.name === backend));
  if (backend !== null && proxies.length === 0) return "Can't find backend.\n\n";
  const now = Date.now();
  let s = HEADER;
  for (const p of proxies) {
    for (const srv of p.backend!.servers) {
      const m = monitorOf(rt, srv);
      const op = srv.healthUp ? 2 : 0;
      const dynamic = isDynamic(p.backend!, srv);
      const admin = srv.admin & (ADMIN_MAINT | ADMIN_DRAIN | (dynamic ? ADMIN_CMAINT : 0));
      let status = 1;
      let result = 0;
      let health = 0;
      let state = 0;
      if (m !== undefined) {
        const last = m.last;
        status = last === null ? 1 : (HCHK[last.status] ?? 0);
        result =
          last === null
            ? 0
            : last.status === 'L7OKC'
              ? RESULT_CONDPASS
              : ['L4OK', 'L6OK', 'L7OK'].includes(last.status)
                ? RESULT_PASSED
                : RESULT_FAILED;
        health = m.health;
        state = ST_CONFIGURED | ST_ENABLED | (m.enabled && (srv.admin & ADMIN_MAINT) === 0 ? 0 : ST_PAUSED);
      } else if (dynamic) {
        // a dynamic server's check starts at 0, paused while it is disabled (recorded)
        state = (srv.admin & ADMIN_CMAINT) !== 0 ? ST_PAUSED : 0;
      } else {
        health = 2;
      }
      const spec = srv.spec;
      const since = Math.max(0, Math.floor((now - srv.counters.lastChange) / 1000));
      const addr = spec.path !== null ? spec.path : spec.host;
      s += `${p.uuid} ${p.name} ${spec.id ?? 0} ${spec.name} ${addr} ${op} ${admin} ${srv.uweight} ${spec.weight} ${since} ${status} ${result} ${health} ${state} 0 0 0 ${spec.fqdn ?? '-'} ${spec.port} - 0 0 - - 0\n`;
    }
  }
  return `${s}\n`;
}

/**
 * `show info [typed|json]`: HAProxy 2.6's process information, field for field in its order. Fields
 * about what the balancer does not have (SSL, pipes, compression, peers, pools) are 0.
 */
import type { StatsRuntime } from '../stats/stats-runtime.ts';

type F = [name: string, tags: string, type: string, value: string | number];

function uptime(ms: number): string {
  let s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return `${d}d ${h}h${String(m).padStart(2, '0')}m${String(s).padStart(2, '0')}s`;
}

export function infoFields(rt: StatsRuntime): F[] {
  const now = Date.now();
  let cumConns = 0;
  let cumReq = 0;
  let connRate = 0;
  let maxConnRate = 0;
  let bytesOut = 0;
  let listeners = 0;
  for (const f of rt.frontends) {
    const c = f.counters;
    cumConns += c.connTot;
    cumReq += c.reqTot;
    connRate += c.connRate.read(now);
    maxConnRate = Math.max(maxConnRate, c.connRateMax);
    bytesOut += c.bout;
    listeners += f.spec.binds.length;
  }
  const mem = process.memoryUsage();
  const z = (name: string, tags = 'MGP', type = 'u32'): F => [name, tags, type, 0];
  return [
    ['Name', 'POS', 'str', 'HAProxy'],
    ['Version', 'POS', 'str', rt.version],
    ['Release_date', 'POS', 'str', ''],
    ['Nbthread', 'CGS', 'u32', rt.nbthread ?? 1],
    ['Nbproc', 'CGS', 'u32', 1],
    ['Process_num', 'KGP', 'u32', 1],
    ['Pid', 'SGP', 'u32', process.pid],
    ['Uptime', 'MDP', 'str', uptime(now - rt.startedAt)],
    ['Uptime_sec', 'MDP', 'u32', Math.floor((now - rt.startedAt) / 1000)],
    z('Memmax_MB', 'CLP'),
    ['PoolAlloc_MB', 'MGP', 'u32', Math.floor(mem.rss / 1048576)],
    ['PoolUsed_MB', 'MGP', 'u32', Math.floor(mem.heapUsed / 1048576)],
    z('PoolFailed', 'MCP'),
    z('Ulimit-n', 'CGP'),
    z('Maxsock', 'CGP'),
    ['Maxconn', 'CGP', 'u32', rt.maxconn],
    ['Hard_maxconn', 'CGP', 'u32', rt.hardMaxconn],
    ['CurrConns', 'MGP', 'u32', rt.currentConns()],
    ['CumConns', 'MCP', 'u32', cumConns],
    ['CumReq', 'MCP', 'u32', cumReq],
    z('MaxSslConns', 'CGP'),
    z('CurrSslConns'),
    z('CumSslConns', 'MCP'),
    z('Maxpipes', 'CGP'),
    z('PipesUsed'),
    z('PipesFree'),
    ['ConnRate', 'MRP', 'u32', connRate],
    z('ConnRateLimit', 'CLP'),
    ['MaxConnRate', 'MMP', 'u32', maxConnRate],
    ['SessRate', 'MRP', 'u32', connRate],
    z('SessRateLimit', 'CLP'),
    ['MaxSessRate', 'MMP', 'u32', maxConnRate],
    z('SslRate', 'MRP'),
    z('SslRateLimit', 'CLP'),
    z('MaxSslRate', 'MMP'),
    z('SslFrontendKeyRate', 'MRP'),
    z('SslFrontendMaxKeyRate', 'MMP'),
    z('SslFrontendSessionReuse_pct', 'MaP'),
    z('SslBackendKeyRate', 'MRP'),
    z('SslBackendMaxKeyRate', 'MMP'),
    z('SslCacheLookups', 'MCP'),
    z('SslCacheMisses', 'MCP'),
    z('CompressBpsIn', 'MRP'),
    z('CompressBpsOut', 'MRP'),
    z('CompressBpsRateLim', 'CLP'),
    z('Tasks'),
    z('Run_queue'),
    ['Idle_pct', 'MaP', 'u32', 100],
    ['node', 'COS', 'str', rt.node],
    z('Stopping'),
    ['Jobs', 'MGP', 'u32', rt.currentConns() + listeners],
    z('Unstoppable Jobs'),
    ['Listeners', 'MGP', 'u32', listeners],
    z('ActivePeers'),
    z('ConnectedPeers'),
    z('DroppedLogs', 'MCP'),
    z('BusyPolling', 'CGP'),
    z('FailedResolutions', 'MCP'),
    ['TotalBytesOut', 'MCP', 'u64', bytesOut],
    ['TotalSplicdedBytesOut', 'MCP', 'u64', 0],
    z('BytesOutRate', 'MRP'),
    z('DebugCommandsIssued', 'MCP'),
    z('CumRecvLogs', 'MCP'),
    ['Build info', 'POS', 'str', rt.version],
    z('Memmax_bytes', 'CLP', 'u64'),
    ['PoolAlloc_bytes', 'MGP', 'u64', mem.rss],
    ['PoolUsed_bytes', 'MGP', 'u64', mem.heapUsed],
    ['Start_time_sec', 'MDP', 'u32', Math.floor(rt.startedAt / 1000)],
    z('Tainted', 'CGS'),
  ];
}

const ORIGIN: Record<string, string> = { K: 'Key', C: 'Config', P: 'Product', S: 'Status', M: 'Metric' };
const NATURE: Record<string, string> = {
  A: 'Age',
  a: 'Avg',
  C: 'Counter',
  D: 'Duration',
  G: 'Gauge',
  L: 'Limit',
  M: 'Max',
  N: 'Name',
  O: 'Output',
  R: 'Rate',
  T: 'Time',
};
const SCOPE: Record<string, string> = { P: 'Process', S: 'Service', s: 'System', C: 'Cluster' };

export function showInfo(rt: StatsRuntime, format: 'text' | 'typed' | 'json'): string {
  const fields = infoFields(rt);
  if (format === 'typed')
    return `${fields.map((f, i) => `${i}.${f[0]}.1:${f[1]}:${f[2]}:${f[3]}`).join('\n')}\n\n`;
  if (format === 'json')
    return `${JSON.stringify(
      fields.map((f, pos) => ({
        field: { pos, name: f[0] },
        processNum: 1,
        tags: { origin: ORIGIN[f[1][0]], nature: NATURE[f[1][1]], scope: SCOPE[f[1][2]] },
        value: { type: f[2], value: f[3] },
      })),
    )}\n`;
  return `${fields.map((f) => `${f[0]}: ${f[3]}`).join('\n')}\n\n`;
}

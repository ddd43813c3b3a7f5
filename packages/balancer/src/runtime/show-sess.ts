/**
 * `show sess` and `shutdown session`, in HAProxy 2.6's words.
 * `show sess` lists the streams (an HTTP request in progress, a TCP connection) with HAProxy's
 * summary line; its identity fields (proto, src, fe, be, srv, ts, epoch, age) are the stream's, the
 * internal buffer and connection flags after them are fixed values of an idle stream (the balancer has
 * no such flags). The pointer is the stream's number, which `shutdown session` takes back. The
 * command's own CLI stream comes first, as HAProxy lists it.
 */
import type { Session, StreamSummary } from '../engine/proxy-runtime.ts';
import type { StatsRuntime } from '../stats/stats-runtime.ts';

/** A stream number as `show sess` prints it: a pointer-looking hex value, stable per stream. */
export const streamPtr = (id: number): string => `0x${(0x555500000000 + id * 0x100).toString(16)}`;

function line(s: StreamSummary, now: number): string {
  const age = Math.max(0, Math.floor((now - s.since) / 1000));
  return `${streamPtr(s.id)}: proto=tcpv${s.family} src=${s.family === 6 ? `[${s.src}]` : s.src}:${s.srcPort} fe=${s.frontend} be=${s.backend} srv=${s.server} ts=00 epoch=0 age=${age}s calls=2 rate=0 cpu=0 lat=0 rq[f=4dc00000h,i=0,an=8000h,rx=,wx=,ax=] rp[f=80000000h,i=0,an=00h,rx=,wx=,ax=] scf=[8,280h,fd=-1] scb=[3,1h,fd=-1] exp=0s rc=0 c_exp=0s`;
}

/** The CLI's own stream (the `show sess` command itself). */
const CLI_LINE = (cliId: number) =>
  `${streamPtr(cliId)}: proto=unix_stream src=unix:1 fe=GLOBAL be=<NONE> srv=<none> ts=00 epoch=0 age=0s calls=1 rate=0 cpu=0 lat=0 rq[f=c08000h,i=0,an=00h,rx=,wx=,ax=] rp[f=80008002h,i=0,an=00h,rx=,wx=,ax=] scf=[8,200h,fd=-1] scb=[8,1h,fd=-1] exp= rc=0 c_exp=`;

function sessions(rt: StatsRuntime): Session[] {
  const out: Session[] = [];
  for (const fe of rt.frontends) for (const s of fe.sessions) out.push(s);
  return out;
}

/** HAProxy's enum http_meth_t, as `show sess <id>` prints `meth=` */
const METHODS: Readonly<Record<string, number>> = {
  OPTIONS: 0,
  GET: 1,
  HEAD: 2,
  POST: 3,
  PUT: 4,
  DELETE: 5,
  TRACE: 6,
  CONNECT: 7,
};

/** `[03/Dec/2026:17:46:44.497527]`: the stream's start with microseconds */
function streamDate(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const mon = d.toLocaleString('en-US', { month: 'short' });
  return `${p(d.getDate())}/${mon}/${d.getFullYear()}:${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds() * 1000, 6)}`;
}

/**
 * `show sess <id>`: HAProxy 2.6's detailed dump of one stream, line for line (recorded in
 * test/stats/show-sess-detail-expected.json). The stream's identity is ours — source, frontend,
 * listener, backend, server with their ids, modes and addresses, the transaction's method, status
 * and states, byte totals; HAProxy's pointers, flags and timers, which the balancer has no equivalent
 * of, are fixed values of an established HTTP stream waiting for its server.
 */
function detail(rt: StatsRuntime, s: StreamSummary, now: number): string {
  const d = s.detail;
  const ptr = streamPtr(s.id);
  const uuid = (name: string) => rt.proxies.find((p) => p.name === name)?.uuid ?? -1;
  const mode = d?.mode ?? 'tcp';
  const age = Math.max(0, Math.floor((now - s.since) / 1000));
  const src = s.family === 6 ? `[${s.src}]` : s.src;
  const lines = [
    `${ptr}: [${streamDate(s.since)}] id=${s.id} proto=tcpv${s.family} source=${src}:${s.srcPort}`,
    `  flags=0xc4a, conn_retries=0, conn_exp=<NEVER> conn_et=0x000 srv_conn=${ptr}, pend_pos=(nil) waiting=0 epoch=0`,
    `  frontend=${s.frontend} (id=${uuid(s.frontend)} mode=${mode}), listener=? (id=1) addr=${d?.listenerAddr ?? '?'}`,
    s.backend === '<NONE>'
      ? '  backend=<NONE> (id=-1 mode=-)'
      : `  backend=${s.backend} (id=${uuid(s.backend)} mode=${mode}) addr=${d?.backendAddr ?? '<NONE>'}`,
    s.server === '<none>'
      ? '  server=<NONE> (id=-1)'
      : `  server=${s.server} (id=${d?.serverId ?? 0}) addr=${d?.serverAddr ?? '<NONE>'}`,
    `  task=${ptr} (state=0x00 nice=0 calls=2 rate=0 exp=<NEVER> tmask=0x1 age=${age}s)`,
  ];
  if (d !== undefined && d.mode === 'http')
    lines.push(
      `  txn=${ptr} flags=0x3000 meth=${METHODS[d.method] ?? 8} status=${d.status} req.st=${d.requestDone ? 'MSG_DONE' : 'MSG_DATA'} rsp.st=${d.responseStarted ? 'MSG_DATA' : 'MSG_RPBEFORE'} req.f=0x4c rsp.f=0x00`,
    );
  const side = (n: string, co: string, target: string, endp: string) => [
    `  ${n}=${ptr} flags=0x00000080 state=EST endp=CONN,${ptr},${endp} sub=1`,
    `      ${co}=${ptr} ctrl=tcpv${s.family} xprt=RAW mux=${mode === 'http' ? 'H1' : 'PASS'} data=STRM target=${target}:${ptr}`,
    '      flags=0x00000300 fd=-1 fd.state=00 updt=0 fd.tmask=0x1',
  ];
  lines.push(...side('scf', 'co0', 'LISTENER', '0x02804001'));
  if (s.server !== '<none>') lines.push(...side('scb', 'co1', 'SERVER', '0x02800001'));
  const chan = (n: string, total: number) => [
    `  ${n}=${ptr} (f=0x80000000 an=0x0 pipe=0 tofwd=0 total=${total})`,
    '      an_exp=<NEVER> rex=<NEVER> wex=<NEVER>',
    `      buf=${ptr} data=(nil) o=0 p=0 i=0 size=0`,
    `      htx=${ptr} flags=0x0 size=0 data=0 used=0 wrap=NO extra=0`,
  ];
  lines.push(...chan('req', d?.reqTotal ?? 0), ...chan('res', d?.resTotal ?? 0));
  return `${lines.join('\n')}\n\n`;
}

export function showSess(rt: StatsRuntime, cliId: number, now = Date.now(), id?: string): string {
  if (id !== undefined) {
    const want = Number.parseInt(id.replace(/^0x/i, ''), 16);
    const s = sessions(rt)
      .map((x) => x.summary?.() ?? null)
      .find((x) => x !== null && Number.parseInt(streamPtr(x.id).slice(2), 16) === want);
    return s == null ? 'Session not found.\n\n' : detail(rt, s, now);
  }
  const lines = [CLI_LINE(cliId)];
  const list = sessions(rt)
    .map((s) => s.summary?.() ?? null)
    .filter((s): s is StreamSummary => s !== null)
    .sort((a, b) => a.id - b.id);
  for (const s of list) lines.push(line(s, now));
  return `${lines.join('\n')}\n\n`;
}

export function shutdownSession(rt: StatsRuntime, arg: string | undefined): string {
  if (arg === undefined) return "Session pointer expected (use 'show sess').\n\n";
  const want = Number.parseInt(arg.replace(/^0x/i, ''), 16);
  const found = sessions(rt).find((s) => {
    const sum = s.summary?.() ?? null;
    return sum !== null && Number.parseInt(streamPtr(sum.id).slice(2), 16) === want;
  });
  if (found === undefined) return "No such session (use 'show sess').\n\n";
  found.kill?.();
  return '\n';
}

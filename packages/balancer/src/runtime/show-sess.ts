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

export function showSess(rt: StatsRuntime, cliId: number, now = Date.now()): string {
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

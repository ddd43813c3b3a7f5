/**
 * `slowstart`, run the same way through HAProxy 2.6 and the balancer: web1 is taken DOWN by its checks,
 * comes back, and the stats socket is read every 50 ms until its slowstart is over, while a client sends
 * requests one after the other. What is kept: the `weight` and `throttle` columns of web1 in a
 * roundrobin backend (dynamic: the weight grows) and in a static-rr one (static: only the maxconn is
 * throttled, the throttle shows 100), the backend's total weight, how long the period lasted, and
 * web1's share of the requests in the first second. `slowstart-record.ts` records HAProxy's run into
 * `slowstart-expected.json`; `slowstart.test.ts` runs the balancer and compares.
 */
import { startCheckTarget, type TargetMode } from './support/check-target.ts';
import { makeTempDir } from './support/env.ts';
import { freePorts } from './support/ports.ts';
import { type Managed, type ProxyKind, startProxy } from './support/proc.ts';
import { exchange } from './support/raw-client.ts';
import { statsCommand } from './support/stats-socket.ts';
import { waitFor } from './support/wait-for.ts';

export const SLOWSTART_S = 6;

export interface SlowstartRun {
  /** web1's (weight, throttle) rows in the roundrobin backend, each distinct row once, in order */
  dynamic: string[];
  /** the same in the static-rr backend */
  static: string[];
  /** the roundrobin backend's `weight` (sum of the effective weights), distinct values in order */
  backendWeight: string[];
  /** web1's `status` values during the period */
  status: string[];
  /** ms from the first sample showing web1 UP to the first showing its throttle gone (roundrobin) */
  periodMs: number;
  /** web1's share of the roundrobin backend's requests in the first second after it came back */
  firstSecondShare: number;
}

const OK: TargetMode = { kind: 'http', status: 200 };
const DOWN: TargetMode = { kind: 'down' };

function config(sock: string, fe: number, w1: number, w2: number): string {
  const servers = (extra: string) =>
    `    server web1 127.0.0.1:${w1} check inter 200 rise 1 fall 1 weight 100${extra}
    server web2 127.0.0.1:${w2} check inter 200 rise 1 fall 1 weight 100
`;
  return `global
    nbthread 1
    stats socket ${sock} level admin
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:${fe}
    default_backend dyn
backend dyn
    balance roundrobin
${servers(` slowstart ${SLOWSTART_S}s`)}backend sta
    balance static-rr
${servers(` slowstart ${SLOWSTART_S}s maxconn 50`)}`;
}

type Rows = Map<string, Record<string, string>>;

async function showStat(sock: string): Promise<Rows> {
  const text = await statsCommand(sock, 'show stat');
  const [head, ...lines] = text.trim().split('\n');
  const cols = head.replace(/^# /, '').split(',');
  const rows: Rows = new Map();
  for (const l of lines) {
    const v = l.split(',');
    const r = Object.fromEntries(cols.map((c, i) => [c, v[i] ?? '']));
    rows.set(`${r.pxname}/${r.svname}`, r);
  }
  return rows;
}

const pushDistinct = (xs: string[], x: string) => {
  if (xs.at(-1) !== x) xs.push(x);
};

/** `firstRow`: stop at the first sample after web1 came back (what in-effect.test.ts needs). */
export async function runSlowstart(kind: ProxyKind, o: { firstRow?: boolean } = {}): Promise<SlowstartRun> {
  const [fe, p1, p2] = await freePorts(3);
  const tmp = makeTempDir('slowstart-');
  const sock = `${tmp.dir}/stats.sock`;
  const web1 = await startCheckTarget(p1, OK);
  const web2 = await startCheckTarget(p2, OK);
  let proxy: Managed | null = null;
  let sending = true;
  let client: Promise<void> = Promise.resolve();
  try {
    proxy = await startProxy(kind, config(sock, fe, p1, p2), [fe]);
    // (the stats socket may start listening after the frontend: refused until then)
    const status = async () => {
      try {
        return (await showStat(sock)).get('dyn/web1')?.status ?? '';
      } catch {
        return '';
      }
    };
    if (!(await waitFor(async () => (await status()) === 'UP', 10_000, 50)))
      throw new Error(`${kind}: web1 not UP at start\n${proxy.output()}`);
    await web1.set(DOWN);
    if (!(await waitFor(async () => (await status()) === 'DOWN', 10_000, 50)))
      throw new Error(`${kind}: web1 not DOWN\n${proxy.output()}`);
    // one request after the other through the roundrobin backend while web1 comes back
    client = (async () => {
      while (sending)
        await exchange(fe, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', { ms: 2000 }).catch(
          () => {},
        );
    })();
    await web1.set(OK);
    const run: SlowstartRun = {
      dynamic: [],
      static: [],
      backendWeight: [],
      status: [],
      periodMs: 0,
      firstSecondShare: 0,
    };
    let upAt = 0;
    let lbAtUp: [number, number] | null = null;
    const deadline = Date.now() + (SLOWSTART_S + 10) * 1000;
    for (;;) {
      if (Date.now() > deadline) throw new Error(`${kind}: slowstart not over after ${SLOWSTART_S + 10} s`);
      const rows = await showStat(sock);
      const d = rows.get('dyn/web1')!;
      const s = rows.get('sta/web1')!;
      const now = Date.now();
      if (upAt === 0 && d.status !== 'DOWN') {
        upAt = now;
        lbAtUp = [Number(d.lbtot), Number(rows.get('dyn/web2')!.lbtot)];
      }
      if (upAt !== 0) {
        pushDistinct(run.dynamic, `${d.weight}/${d.throttle}`);
        pushDistinct(run.static, `${s.weight}/${s.throttle}`);
        pushDistinct(run.backendWeight, rows.get('dyn/BACKEND')!.weight);
        pushDistinct(run.status, d.status);
        if (o.firstRow) return run;
        if (lbAtUp !== null && now - upAt >= 1000) {
          const a = Number(d.lbtot) - lbAtUp[0];
          const b = Number(rows.get('dyn/web2')!.lbtot) - lbAtUp[1];
          run.firstSecondShare = a + b === 0 ? 0 : Math.round((a / (a + b)) * 100) / 100;
          lbAtUp = null;
        }
        if (d.throttle === '' && s.throttle === '' && lbAtUp === null) {
          run.periodMs = now - upAt;
          return run;
        }
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    sending = false;
    await client;
    await proxy?.stop();
    await web1.close();
    await web2.close();
    tmp.remove();
  }
}

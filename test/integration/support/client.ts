// The client's steady loop (client-loop.ts) running in the client namespace, seen from the test.
import type { Proc } from '../../../packages/ha-agent/test/support/netns.ts';
import { waitFor } from '../../../packages/ha-agent/test/support/wait-for.ts';
import type { RequestResult } from './outage.ts';
import type { Topology } from './topology.ts';

const LOOP = new URL('./client-loop.ts', import.meta.url).pathname;

export const epochNow = () => performance.timeOrigin + performance.now();

export interface ClientLoop {
  /** every request so far */
  results(): RequestResult[];
  /** waits for a successful request that started after `since` (epoch ms) and matches `pred` */
  served(
    what: string,
    pred: (r: RequestResult) => boolean,
    since: number,
    deadlineMs?: number,
  ): Promise<RequestResult>;
  /** waits for `n` more successful requests in a row (a steady state) */
  steady(n: number, deadlineMs?: number): Promise<void>;
  /** stops the loop and returns every request */
  stop(): Promise<RequestResult[]>;
}

/** One request every `everyMs` to HOST:80, each with a `timeoutMs`; bounded by `maxMs`. */
export function startClient(
  topo: Topology,
  host: string,
  o: {
    everyMs?: number;
    timeoutMs?: number;
    maxMs?: number;
    maxCount?: number;
    /** `NAME=VALUE`: the client keeps this cookie as a browser would (client-loop.ts) */
    cookie?: string;
  } = {},
): ClientLoop {
  const args = [
    LOOP,
    host,
    '80',
    String(o.everyMs ?? 20),
    String(o.timeoutMs ?? 3000),
    String(o.maxMs ?? 60_000),
    String(o.maxCount ?? 3000),
    o.cookie ?? '-',
  ];
  const proc: Proc = topo.spawn('client', process.execPath, args);
  const results: RequestResult[] = [];
  let buf = '';
  proc.child.stdout?.on('data', (d: Buffer) => {
    buf += d;
    let nl = buf.indexOf('\n');
    while (nl >= 0) {
      results.push(JSON.parse(buf.slice(0, nl)) as RequestResult);
      buf = buf.slice(nl + 1);
      nl = buf.indexOf('\n');
    }
  });
  const gone = () => proc.child.exitCode !== null || proc.child.signalCode !== null;
  return {
    results: () => results,
    async served(what, pred, since, deadlineMs = 15_000) {
      let found: RequestResult | undefined;
      await waitFor(
        () => {
          found = results.find((r) => r.start >= since && r.ok && pred(r));
          if (!found && gone()) throw new Error(`the client loop exited:\n${proc.output().slice(-2000)}`);
          return found !== undefined;
        },
        deadlineMs,
        what,
        20,
      );
      return found as RequestResult;
    },
    async steady(n, deadlineMs = 15_000) {
      const from = results.length;
      await waitFor(
        () => {
          const tail = results.slice(from);
          const lastFail = tail.findLastIndex((r) => !r.ok);
          return tail.length - (lastFail + 1) >= n;
        },
        deadlineMs,
        `${n} requests in a row served`,
        20,
      );
    },
    async stop() {
      proc.kill('SIGTERM');
      await proc.exited;
      return results;
    },
  };
}

/**
 * The seed's `backend dynamic` (cookie SESSION_ID insert indirect nocache, servers `cookie A`/`cookie B`,
 * option redispatch, retries 3, option forwardfor except 127.0.0.0/8, http-server-close) under the real
 * HAProxy 2.6 and under the balancer, in front of two loopback servers of this test: the same
 * scenario runs against each, and what the client and the servers saw must be identical, request by
 * request. Header names are compared lower-cased (HAProxy lower-cases every header name it forwards;
 * the balancer keeps them as received — an engine-wide difference, not a cookie one).
 *
 * The seed file is used as written except what cannot run here, each for a stated reason (seedForTest).
 * Known differences, written down instead of hidden: DIFFERENCES below.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { setServerUp } from '../../src/backend/backend.ts';
import { loadBalancerConfigText } from '../../src/config/load.ts';
import { startEngine } from '../../src/engine/engine.ts';
import { isRoot, makeTempDir } from '../support/env.ts';
import { quiet } from '../support/harness.ts';
import { freePorts } from '../support/ports.ts';
import { haproxyPath, startHaproxy } from '../support/proc.ts';
import { statsCommand } from '../support/stats-socket.ts';
import { type Backends, lowerNames, ResponseReader, startBackends } from './run.ts';

const SEED = new URL('../../../shared-config/test/fixtures/seed/haproxy.cfg', import.meta.url).pathname;

/**
 * The seed as it runs in a test: its own ports, its servers on loopback, and without what needs a
 * production host (chroot to /var/lib/haproxy, the pidfile in /var/run, daemon mode: the test runs the
 * proxy in the foreground). HAProxy 2.6 rejects `frontend proxy *:80`, so the address becomes a bind.
 * The global `maxconn 20000` becomes 4000: HAProxy needs 2 file descriptors per connection and refuses
 * to start when it cannot raise its limit that far (test machines often cap it at 20 000).
 */
export function seedForTest(
  text: string,
  ports: { front: number; stats: number },
  servers: string[],
  statsSocket: string | null,
): string {
  let out = text
    .replace(/^\s*(chroot|pidfile|daemon)\b.*$/gm, '')
    .replace(/^(\s*maxconn\s+)20000\b/m, (_m, head: string) => `${head}4000`)
    .replace(/^frontend\s+proxy\s+\*:80\b.*$/m, `frontend proxy\n    bind *:${ports.front}`)
    .replace(/^(\s*bind\s+)\*:8080\b/m, `$1127.0.0.1:${ports.stats}`)
    .replace(/(server\s+web1\s+)\S+/, `$1${servers[0]}`)
    .replace(/(server\s+web2\s+)\S+/, `$1${servers[1]}`);
  if (statsSocket)
    out = out.replace(/^global\b.*$/m, (g) => `${g}\n    stats socket ${statsSocket} level admin`);
  return out;
}

interface Step {
  what: string;
  /** header lines besides Host */
  headers?: string[];
  /** send from this host's non-loopback address (outside the seed's forwardfor except network) */
  external?: boolean;
  /** the response variant the servers answer with */
  respond?: number;
  /** carry the cookie the client got at step N (a browser's jar) */
  jarFrom?: number;
  /** before the request: make web2 refuse connections, or put it DOWN */
  before?: 'web2-refuses' | 'web2-down';
}

const RESPONSES = [{}, { headers: ['Expires: Thu, 01 Jan 2037 00:00:00 GMT'] }];

const STEPS: Step[] = [
  { what: 'first request, no cookie: round-robin picks web1, SESSION_ID=A is set' },
  { what: 'second first-time client: web2, SESSION_ID=B' },
  { what: 'repeated request with the cookie of step 0', jarFrom: 0 },
  { what: 'repeated request with the cookie of step 1', jarFrom: 1 },
  { what: 'the cookie mixed with other cookies', headers: ['Cookie: lang=en; SESSION_ID=B; theme=dark'] },
  {
    what: 'the cookie in its own header next to another',
    headers: ['Cookie: lang=en', 'Cookie: SESSION_ID=A'],
  },
  { what: 'an unknown value: balanced and replaced', headers: ['Cookie: SESSION_ID=web9'] },
  { what: 'a cacheable response gets Cache-Control: private (nocache)', respond: 1 },
  { what: 'a client outside 127.0.0.0/8 gets X-Forwarded-For', external: true },
  { what: 'a client inside 127.0.0.0/8 does not', headers: ['Cookie: SESSION_ID=A'] },
  { what: 'round-robin order, 1', external: true },
  { what: 'round-robin order, 2' },
  { what: 'round-robin order, 3' },
  { what: 'round-robin order, 4' },
  {
    what: 'web2 refuses connections: the cookie for it is retried, then redispatched (option redispatch) to web1',
    headers: ['Cookie: SESSION_ID=B'],
    before: 'web2-refuses',
  },
  {
    what: 'web2 DOWN: its cookie goes to web1 at once, and A is set',
    headers: ['Cookie: SESSION_ID=B'],
    before: 'web2-down',
  },
  { what: 'a new client while web2 is DOWN' },
];

/** What may legitimately differ, with the reason; a difference not listed here fails the test. */
const DIFFERENCES: Record<number, string> = {};

interface Seen {
  step: number;
  server: string | null;
  atServer: string[];
  atClient: string[];
  ms: number;
}

interface Target {
  port: number;
  setDown(server: string): Promise<void>;
  stop(): Promise<void>;
}

function externalAddress(): string | null {
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return null;
}

async function scenario(target: Target, backends: Backends, external: string | null): Promise<Seen[]> {
  const out: Seen[] = [];
  const jar: string[] = [];
  for (const [i, step] of STEPS.entries()) {
    if (step.before === 'web2-refuses') await backends.refuse(1);
    if (step.before === 'web2-down') await target.setDown('web2');
    const headers = [...(step.headers ?? [])];
    if (step.jarFrom !== undefined) headers.push(`Cookie: ${jar[step.jarFrom]}`);
    const host = step.external && external ? external : '127.0.0.1';
    const sock = await new Promise<net.Socket>((ok, ko) => {
      const s = net.connect({ port: target.port, host, localAddress: host }, () => ok(s));
      s.once('error', ko);
    });
    const reader = new ResponseReader(sock);
    const t0 = Date.now();
    sock.write(
      `GET /?r=${step.respond ?? 0} HTTP/1.1\r\nHost: x\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`,
    );
    const head = await reader.next(false, 15_000);
    const ms = Date.now() - t0;
    sock.destroy();
    const set = /\r\nset-cookie: ([^;\r]*)/i.exec(head);
    jar.push(set ? set[1] : '');
    const got = backends.take();
    out.push({
      step: i,
      server: got[0]?.server ?? null,
      atServer: got[0] ? lowerNames(got[0].head.split('\r\n').filter((l) => l !== '')) : [],
      atClient: lowerNames(head.split('\r\n').filter((l) => l !== '')),
      ms,
    });
  }
  return out;
}

async function runOn(kind: 'haproxy' | 'balancer', external: string | null): Promise<Seen[]> {
  const backends = await startBackends({ servers: ['', ''], responses: RESPONSES });
  const [front, stats] = await freePorts(2);
  const seed = readFileSync(SEED, 'utf8');
  try {
    let target: Target;
    if (kind === 'haproxy') {
      const tmp = makeTempDir('cookie-seed');
      const sock = join(tmp.dir, 'stats.sock');
      const m = await startHaproxy(seedForTest(seed, { front, stats }, backends.addresses, sock), [front]);
      target = {
        port: front,
        setDown: async (s) => void (await statsCommand(sock, `disable server dynamic/${s}`)),
        stop: async () => {
          await m.stop();
          tmp.remove();
        },
      };
    } else {
      const text = seedForTest(seed, { front, stats }, backends.addresses, null);
      const loaded = loadBalancerConfigText([{ path: 'seed.cfg', text }], { env: {} });
      assert.ok(loaded.engine, JSON.stringify(loaded.diagnostics));
      const engine = await startEngine(loaded.engine, quiet);
      target = {
        port: front,
        setDown: async (s) => {
          const be = engine.backends.find((b) => b.spec.name === 'dynamic')!;
          setServerUp(engine.events, be, be.servers.find((x) => x.spec.name === s)!, false, 'maintenance');
        },
        stop: () => engine.stop(0),
      };
    }
    try {
      return await scenario(target, backends, external);
    } finally {
      await target.stop();
    }
  } finally {
    await backends.close();
  }
}

const skip = haproxyPath() === null && !isRoot ? 'haproxy not installed (not root, so not CI)' : false;

describe("the seed's backend under HAProxy 2.6 and the balancer", { skip }, () => {
  test('what the client and the servers see, request by request', async () => {
    const external = externalAddress();
    const hap = await runOn('haproxy', external);
    const ours = await runOn('balancer', external);
    if (process.env.COOKIE_SEED_DUMP) console.log(JSON.stringify({ hap, ours }, null, 1));
    const strip = (s: Seen) => ({
      step: s.step,
      server: s.server,
      atServer: s.atServer,
      atClient: s.atClient,
    });
    for (const [i, step] of STEPS.entries()) {
      if (DIFFERENCES[i]) continue;
      assert.deepEqual(strip(ours[i]), strip(hap[i]), `step ${i}: ${step.what}`);
    }
    // what the scenario is about, so an identical but wrong pair cannot pass unnoticed
    const set = (s: Seen) => s.atClient.find((l) => l.startsWith('set-cookie:')) ?? null;
    assert.equal(set(hap[0]), 'set-cookie: SESSION_ID=A; path=/');
    assert.equal(hap[2].server, 'web1');
    assert.equal(set(hap[2]), null);
    assert.ok(hap[4].atServer.includes('cookie: lang=en; theme=dark'));
    assert.ok(hap[7].atClient.includes('cache-control: private'));
    if (external) assert.ok(hap[8].atServer.includes(`x-forwarded-for: ${external}`));
    assert.ok(!hap[9].atServer.some((l) => l.startsWith('x-forwarded-for')));
    // balanced requests so far: steps 0 1 6 7 8 (web1 web2 web1 web2 web1); persistent ones do not count
    assert.deepEqual(
      hap.slice(10, 14).map((s) => s.server),
      ['web2', 'web1', 'web2', 'web1'],
    );
    assert.deepEqual([hap[14].server, set(hap[14])], ['web1', 'set-cookie: SESSION_ID=A; path=/']);
    assert.deepEqual([hap[15].server, set(hap[15])], ['web1', 'set-cookie: SESSION_ID=A; path=/']);
    console.log(
      `redispatch after refused connections took ${hap[14].ms} ms under HAProxy (1 s turn-around per retry), ${ours[14].ms} ms under the balancer (immediate retries)`,
    );
  });
});

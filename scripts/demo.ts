// The seed deployment, live, in network namespaces (README command 1, as root): HA-master and HA-slave
// each running the balancer and the agent with the seed's files (the integration suite's lab: the same
// namespaces, configurations and unit command lines), two web nodes, and a client requesting the VIP
// every 100 ms. The screen shows who holds the VIP, each agent's state and priority, each balancer's
// health, the client's success rate and what it saw since the last action; keys trigger failures.
// Ctrl-C (or x) stops everything and removes the namespaces.
//   node scripts/demo.ts            interactive (a terminal)
//   node scripts/demo.ts --tour     a scripted failover sequence, printed frame by frame, then exit
import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { epochNow, startClient } from '../test/integration/support/client.ts';
import { FRONTS, type Front, startPair } from '../test/integration/support/front-pair.ts';
import { formatSummary, summarize } from '../test/integration/support/outage.ts';
import { LAB } from '../test/integration/support/seed-configs.ts';
import { balancerPaths, startWebNode, startWebNodes } from '../test/integration/support/services.ts';
import { createTopology } from '../test/integration/support/topology.ts';

const tour = process.argv.includes('--tour');
const tty = process.stdout.isTTY && !tour;
const say = (s: string) => process.stdout.write(`${s}\n`);

if (process.getuid?.() !== 0) {
  say('The demo needs root: it creates network namespaces, a bridge and a floating VIP. Run it as root.');
  process.exit(2);
}

let pair: Awaited<ReturnType<typeof startPair>> | undefined;
let web: Awaited<ReturnType<typeof startWebNodes>> | undefined;
let client: ReturnType<typeof startClient> | undefined;
say('[demo] creating the namespaces (ha-master, ha-slave, web1, web2, client) …');
const topo = createTopology();
let quitting = false;
const quit = async (code = 0) => {
  if (quitting) return;
  quitting = true;
  if (tty) process.stdout.write('\x1b[?25h\n');
  if (process.stdin.isTTY) process.stdin.setRawMode(false);
  say('[demo] stopping the daemons and removing the namespaces …');
  await client?.stop().catch(() => {});
  await pair?.stop().catch(() => {});
  await topo.destroy();
  say('[demo] done.');
  process.exit(code);
};
process.on('SIGINT', () => void quit(0));
process.on('SIGTERM', () => void quit(0));
process.on('SIGHUP', () => void quit(0)); // the terminal went away

try {
  web = await startWebNodes(topo);
  say('[demo] starting balancer + ha-agent on both front nodes (the VIP comes up after ~4 s) …');
  pair = await startPair(topo, 'ours');
} catch (err) {
  say(`[demo] could not start: ${(err as Error).message}`);
  await quit(1);
}
// a browser: it keeps the SESSION_ID cookie the balancer gives it (the seed's `cookie … insert`)
client = startClient(topo, LAB.vip, {
  everyMs: 100,
  timeoutMs: 4000,
  maxMs: 3_600_000,
  maxCount: 36_000,
  cookie: 'SESSION_ID=',
});
const ns = (n: keyof typeof topo.nodes) => topo.nodes[n].ns;

const whereToLook = [
  `  the VIP            ip netns exec ${ns('client')} curl http://${LAB.vip}/`,
  `  a front node       ip netns exec ${ns('ha-master')} curl http://${LAB.master}/   (ha-slave: ${LAB.slave})`,
  `  agent status API   ip netns exec ${ns('ha-master')} curl http://127.0.0.1:8585/status   (also /metrics)`,
  `  balancer health    curl --unix-socket ${balancerPaths(topo, 'ha-master').healthSocket} http://x/health`,
  `  the files          ${topo.dir}/<node>/   (haproxy.cfg, keepalived.conf, pid files, sockets)`,
  `  stats page         ip netns exec ${ns('client')} curl -u admin:admin 'http://${LAB.vip}:8080/admin?stats;csv'   (the seed's listen statistics; ;csv, ;json or the HTML page)`,
];

// --- live state, refreshed twice a second -------------------------------------------------------

interface NodeView {
  balancer: string;
  agent: string;
  link: 'up' | 'pulled';
}
const view: Record<Front, NodeView> = {
  'ha-master': { balancer: '…', agent: '…', link: 'up' },
  'ha-slave': { balancer: '…', agent: '…', link: 'up' },
};
let holders = '…';
let lastHolders = '';
const events: string[] = [];
let sinceAction = { at: epochNow(), what: 'start' };
let selected: Front = 'ha-master';

const clock = () => new Date().toTimeString().slice(0, 8);
const log = (s: string) => {
  events.push(`${clock()} ${s}`);
  if (events.length > 8) events.shift();
  if (!tty) say(`  ${clock()} ${s}`);
};

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((ok) => execFile(cmd, args, { timeout: 1500 }, (err, out) => ok(err ? '' : out)));
}

function health(socketPath: string): Promise<string> {
  return new Promise((ok) => {
    const req = request({ socketPath, path: '/health', timeout: 800 }, (res) => {
      let body = '';
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => {
        try {
          const h = JSON.parse(body) as {
            status: string;
            pid: number;
            backends: { name: string; up: number; total: number }[];
          };
          // servers UP per backend (the stats listen has none)
          const servers = h.backends.filter((b) => b.total > 0).map((b) => `${b.name} ${b.up}/${b.total} up`);
          ok(`${h.status}, pid ${h.pid}, ${servers.join(', ')}`);
        } catch {
          ok('bad answer');
        }
      });
    });
    req.on('error', () => ok('DOWN (no health socket)'));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

async function refresh(): Promise<void> {
  for (const n of FRONTS) {
    const [h, st] = await Promise.all([
      health(balancerPaths(topo, n).healthSocket),
      run('ip', ['netns', 'exec', ns(n), 'curl', '-s', '--max-time', '1', 'http://127.0.0.1:8585/status']),
    ]);
    view[n].balancer = h;
    try {
      const i = (
        JSON.parse(st) as {
          instances: {
            state: string;
            effectivePriority: number;
            basePriority: number;
            master: { address: string | null };
          }[];
        }
      ).instances[0];
      const master = i.state === 'BACKUP' && i.master.address ? `, master ${i.master.address}` : '';
      view[n].agent = `${i.state} prio ${i.effectivePriority}${master}`;
    } catch {
      view[n].agent = 'not running';
    }
  }
  const out = await Promise.all(FRONTS.map((n) => run('ip', ['-n', ns(n), '-o', 'addr', 'show'])));
  const h = FRONTS.filter((_, i) => out[i].includes(` ${LAB.vip}/`));
  holders = h.length ? h.join(' + ') : 'nobody';
  if (holders !== lastHolders) {
    if (lastHolders) log(`VIP: ${lastHolders} → ${holders}`);
    lastHolders = holders;
  }
}

function clientLine(): string[] {
  const rs = client?.results() ?? [];
  const recent = rs.filter((r) => r.start > epochNow() - 5000);
  const ok = recent.filter((r) => r.ok).length;
  const last = rs.at(-1);
  const who = last?.ok
    ? `${last.by} via ${last.via === LAB.master ? 'ha-master' : last.via === LAB.slave ? 'ha-slave' : last.via}`
    : `FAILED (${last?.error ?? '…'})`;
  const since = summarize(rs, sinceAction.at);
  const cookie = rs.findLast((r) => r.set)?.set ?? 'none yet';
  return [
    `client → VIP (every 100 ms): ${recent.length ? Math.round((100 * ok) / recent.length) : 0}% ok over 5 s, last answer: ${who}, cookie SESSION_ID=${cookie}`,
    `since "${sinceAction.what}": ${formatSummary(since)}`,
  ];
}

function frame(): string {
  const pad = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s.padEnd(n));
  const rows = FRONTS.map(
    (n) =>
      `${n === selected && tty ? '▶' : ' '} ${pad(n, 10)} ${pad(view[n].balancer, 40)} ${pad(view[n].agent, 36)} ${view[n].link}`,
  );
  return [
    `ha-lb demo — the seed's deployment in network namespaces   ${clock()}`,
    '',
    `VIP ${LAB.vip} on: ${holders}`,
    ...clientLine(),
    '',
    `  ${pad('node', 10)} ${pad('balancer (health socket)', 40)} ${pad('ha-agent (status API)', 36)} link`,
    ...rows,
    '',
    tty
      ? 'keys: m / s select ha-master / ha-slave (▶), then  b kill/start its balancer · a stop/start its agent\n' +
        '      k SIGKILL its agent · l pull/plug its cable · 1 / 2 kill/start web1 / web2\n' +
        `      x or Ctrl-C quit (removes the namespaces)   web nodes: web1 ${webState('web1')}, web2 ${webState('web2')}`
      : '',
    'events:',
    ...events.map((e) => `  ${e}`),
    '',
    'where to look:',
    ...whereToLook,
  ].join('\n');
}

// --- actions ------------------------------------------------------------------------------------

const alive = (p: { proc: { child: { exitCode: number | null; signalCode: unknown } } }) =>
  p.proc.child.exitCode === null && p.proc.child.signalCode === null;

function action(what: string): void {
  sinceAction = { at: epochNow(), what: `${what}` };
  log(what);
}

async function toggleBalancer(n: Front): Promise<void> {
  if (!pair) return;
  if (alive(pair.lb[n])) {
    action(`SIGKILL the balancer on ${n}`);
    pair.lb[n].kill('SIGKILL');
  } else {
    action(`start the balancer on ${n}`);
    await pair
      .restartProxy(n)
      .catch((err) => log(`balancer on ${n} did not start: ${(err as Error).message.split('\n')[0]}`));
  }
}

function toggleAgent(n: Front, signal: NodeJS.Signals = 'SIGTERM'): void {
  if (!pair) return;
  if (alive(pair.vrrp[n])) {
    action(`${signal} the agent on ${n}`);
    pair.vrrp[n].kill(signal);
  } else {
    action(`start the agent on ${n}`);
    pair.restartVrrp(n);
  }
}

function webState(n: 'web1' | 'web2'): string {
  return web && alive({ proc: web[n] }) ? 'running' : 'killed';
}

async function toggleWeb(n: 'web1' | 'web2'): Promise<void> {
  if (!web) return;
  if (alive({ proc: web[n] })) {
    action(`SIGKILL the web server on ${n}`);
    web[n].kill('SIGKILL');
  } else {
    action(`start the web server on ${n}`);
    web[n] = await startWebNode(topo, n).catch((err) => {
      log(`${n} did not start: ${(err as Error).message.split('\n')[0]}`);
      return web![n];
    });
  }
}

function toggleLink(n: Front): void {
  const up = view[n].link === 'pulled';
  action(`${up ? 'plug' : 'pull'} the cable of ${n}`);
  topo.cable(n, up);
  view[n].link = up ? 'up' : 'pulled';
}

// --- main loop ----------------------------------------------------------------------------------

say(`[demo] up. Where to look:\n${whereToLook.join('\n')}`);
// Polled in the background, so the events log the VIP's moves within half a second.
void (async () => {
  while (!quitting) {
    await refresh();
    if (tty && !quitting) process.stdout.write(`\x1b[H\x1b[2J${frame()}\n`);
    await new Promise((ok) => setTimeout(ok, 500));
  }
})();
if (tty) {
  process.stdout.write('\x1b[?25l');
  process.stdin.setRawMode(true);
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (key: string) => {
    if (key === '\x03' || key === 'x' || key === 'q') return void quit(0);
    if (key === 'm') selected = 'ha-master';
    if (key === 's') selected = 'ha-slave';
    if (key === 'b') void toggleBalancer(selected);
    if (key === 'a') toggleAgent(selected);
    if (key === 'k') toggleAgent(selected, 'SIGKILL');
    if (key === 'l') toggleLink(selected);
    if (key === '1') void toggleWeb('web1');
    if (key === '2') void toggleWeb('web2');
  });
} else {
  // The tour: each step, then the screen once things settled.
  const steps: [string, () => unknown, number][] = [
    ['steady state', () => {}, 2000],
    ['kill the balancer on ha-master', () => toggleBalancer('ha-master'), 6000],
    ['start it again: ha-master preempts', () => toggleBalancer('ha-master'), 9000],
    ['stop the agent on ha-master (SIGTERM)', () => toggleAgent('ha-master'), 4000],
    ['start it again', () => toggleAgent('ha-master'), 8000],
    ['pull the cable of ha-master', () => toggleLink('ha-master'), 7000],
    ['plug it back: ha-master preempts', () => toggleLink('ha-master'), 8000],
    ['kill the web server the client sticks to: redispatched, new cookie', () => toggleWeb(stuckTo()), 12000],
    ['start it again: the checks bring it back UP', () => toggleWeb(stuckTo(true)), 9000],
  ];
  let killed: 'web1' | 'web2' = 'web1';
  function stuckTo(again = false): 'web1' | 'web2' {
    if (again) return killed;
    const by = client?.results().findLast((r) => r.ok)?.by;
    killed = by === 'web2' ? 'web2' : 'web1';
    return killed;
  }
  for (const [title, step, settle] of steps) {
    say(`\n===== ${title}`);
    await step();
    await new Promise((ok) => setTimeout(ok, settle));
    say(frame().replace(/\nwhere to look:[\s\S]*$/, ''));
  }
  await quit(0);
}

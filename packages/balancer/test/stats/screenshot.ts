/**
 * Screenshots of the seed's stats page in headless Chromium (Debian's `chromium`, driven over the
 * DevTools protocol by cdp-shot.ts), with credentials and without (the 401), into docs/stats-page.png and docs/stats-page-401.png:
 *   node packages/balancer/test/stats/screenshot.ts
 * The seed's `listen statistics` section as written (bound to a free loopback port instead of
 * *:8080), its `dynamic` backend pointed at two local upstreams, one of them in maintenance and a
 * few requests sent, so the page shows its colours.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/env.ts';
import { startUpstream } from '../support/harness.ts';
import { freePorts } from '../support/ports.ts';
import { startProxy } from '../support/proc.ts';
import { exchange } from '../support/raw-client.ts';
import { statsCommand } from '../support/stats-socket.ts';
import { waitFor } from '../support/wait-for.ts';
import { screenshot } from './cdp-shot.ts';

const seed = readFileSync('/work/shared/seeds/haproxy.cfg', 'utf8');
const up1 = await startUpstream();
const up2 = await startUpstream();
const [fe, stats] = await freePorts(2);
const sock = `/tmp/stats-screenshot-${process.pid}.sock`;
const cfg = seed
  .replace(/^\s*(chroot|pidfile|daemon|log)\b.*$/gm, '')
  .replace(/^global\s*$/m, `global\n    stats socket ${sock} level admin`)
  .replace('frontend  proxy *:80', `frontend  proxy\n    bind 127.0.0.1:${fe}`)
  .replace('172.18.218.149:80', `127.0.0.1:${up1.port}`)
  .replace('172.18.216.107:80', `127.0.0.1:${up2.port}`)
  .replace('bind *:8080', `bind 127.0.0.1:${stats}`);
const proxy = await startProxy('balancer', cfg, [fe, stats]);
try {
  for (let i = 0; i < 12; i++)
    await exchange(fe, `GET /page${i} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, { ms: 3000 });
  await waitFor(() => statsCommand(sock, 'show stat').then((t) => t.includes('L4OK')), 8000, 100);
  await statsCommand(sock, 'set server dynamic/web2 state drain');
  const page = `http://127.0.0.1:${stats}/admin?stats`;
  const ok = await screenshot(page, join(REPO_ROOT, 'docs', 'stats-page.png'), {
    credentials: { username: 'admin', password: 'admin' },
  });
  const denied = await screenshot(page, join(REPO_ROOT, 'docs', 'stats-page-401.png'), { height: 200 });
  console.log(
    `wrote docs/stats-page.png (HTTP ${ok.status}) and docs/stats-page-401.png (HTTP ${denied.status})`,
  );
} finally {
  await proxy.stop();
  await up1.close();
  await up2.close();
}

/**
 * Headless Chromium driven over the DevTools protocol with Node's WebSocket (no browser-automation
 * dependency): the stats page's screenshots (stats/cdp-shot.ts) and the browser checks of TLS and
 * HTTP/2 (tls-browser.test.ts) share it. Chromium is Debian's `chromium` package
 * (scripts/bootstrap.sh installs it; `apt-get install -y chromium` by hand).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { which } from './env.ts';
import { freePort } from './ports.ts';

export const chromiumPath = (): string | null => which('chromium');

export interface CdpEvent {
  method: string;
  params: Record<string, unknown>;
}

export interface Cdp {
  /** one DevTools command on the page, resolved with its result */
  send(method: string, params?: object): Promise<Record<string, unknown>>;
  /** every event of the page from now on */
  onEvent(handler: (e: CdpEvent) => void): void;
  /** ends the browser and removes its profile */
  close(): Promise<void>;
}

/** Starts headless Chromium with `args` on top of the usual ones and attaches to its page. */
export async function openChromium(args: string[] = [], size = { width: 1400, height: 700 }): Promise<Cdp> {
  const port = await freePort();
  const profile = mkdtempSync(join(tmpdir(), 'cdp-'));
  const chrome = spawn(
    chromiumPath() ?? 'chromium',
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--hide-scrollbars',
      `--remote-debugging-port=${port}`,
      `--user-data-dir=${profile}`,
      `--window-size=${size.width},${size.height}`,
      ...args,
      'about:blank',
    ],
    { stdio: 'ignore' },
  );
  const close = async () => {
    const exited = new Promise((r) => chrome.once('exit', r));
    chrome.kill('SIGKILL');
    await exited;
    rmSync(profile, { recursive: true, force: true, maxRetries: 5 });
  };
  try {
    let target: { webSocketDebuggerUrl: string } | undefined;
    for (let i = 0; i < 100 && target === undefined; i++) {
      try {
        const list = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as {
          type: string;
          webSocketDebuggerUrl: string;
        }[];
        target = list.find((t) => t.type === 'page');
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    if (target === undefined) throw new Error('chromium did not start its DevTools endpoint');
    const ws = new WebSocket(target.webSocketDebuggerUrl);
    await new Promise((ok, ko) => {
      ws.onopen = ok;
      ws.onerror = ko;
    });
    let id = 0;
    const pending = new Map<number, (r: Record<string, unknown>) => void>();
    const handlers: ((e: CdpEvent) => void)[] = [];
    ws.onmessage = (e) => {
      const m = JSON.parse(String(e.data));
      if (m.id !== undefined) pending.get(m.id)?.(m.result ?? { error: m.error });
      else for (const h of handlers) h(m);
    };
    return {
      send: (method, params = {}) =>
        new Promise((ok) => {
          const n = ++id;
          pending.set(n, ok);
          ws.send(JSON.stringify({ id: n, method, params }));
        }),
      onEvent: (h) => handlers.push(h),
      close: async () => {
        ws.close();
        await close();
      },
    };
  } catch (err) {
    await close();
    throw err;
  }
}

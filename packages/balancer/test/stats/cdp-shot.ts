/**
 * A screenshot of a URL in headless Chromium over the DevTools protocol (Node's WebSocket; no
 * browser-automation dependency): HTTP authentication is answered as a user would — with the given
 * credentials, or by cancelling the dialog, which shows the 401 page's body.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/ports.ts';

export async function screenshot(
  url: string,
  file: string,
  opts: { credentials?: { username: string; password: string }; width?: number; height?: number } = {},
): Promise<{ status: number }> {
  const port = await freePort();
  const profile = mkdtempSync(join(tmpdir(), 'cdp-'));
  const chrome = spawn(
    'chromium',
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--hide-scrollbars',
      `--remote-debugging-port=${port}`,
      `--user-data-dir=${profile}`,
      `--window-size=${opts.width ?? 1400},${opts.height ?? 700}`,
      'about:blank',
    ],
    { stdio: 'ignore' },
  );
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
    const pending = new Map<number, (r: unknown) => void>();
    const events: ((m: { method: string; params: Record<string, unknown> }) => void)[] = [];
    ws.onmessage = (e) => {
      const m = JSON.parse(String(e.data));
      if (m.id !== undefined) pending.get(m.id)?.(m.result);
      else for (const h of events) h(m);
    };
    const send = (method: string, params: object = {}) =>
      new Promise<Record<string, unknown>>((ok) => {
        const n = ++id;
        pending.set(n, ok as (r: unknown) => void);
        ws.send(JSON.stringify({ id: n, method, params }));
      });
    let status = 0;
    const loaded = new Promise<void>((ok) => {
      events.push((m) => {
        if (m.method === 'Fetch.authRequired') {
          const response = opts.credentials
            ? { response: 'ProvideCredentials', ...opts.credentials }
            : { response: 'CancelAuth' };
          send('Fetch.continueWithAuth', { requestId: m.params.requestId, authChallengeResponse: response });
        } else if (m.method === 'Fetch.requestPaused')
          send('Fetch.continueRequest', { requestId: m.params.requestId });
        else if (m.method === 'Network.responseReceived' && (m.params.type as string) === 'Document')
          status = (m.params.response as { status: number }).status;
        else if (m.method === 'Page.loadEventFired') ok();
      });
    });
    await send('Page.enable');
    await send('Network.enable');
    await send('Fetch.enable', { handleAuthRequests: true, patterns: [{ urlPattern: '*' }] });
    await send('Page.navigate', { url });
    await loaded;
    const shot = await send('Page.captureScreenshot', { format: 'png' });
    writeFileSync(file, Buffer.from(shot.data as string, 'base64'));
    ws.close();
    return { status };
  } finally {
    const exited = new Promise((r) => chrome.once('exit', r));
    chrome.kill('SIGKILL');
    await exited;
    rmSync(profile, { recursive: true, force: true, maxRetries: 5 });
  }
}

/**
 * A screenshot of a URL in headless Chromium over the DevTools protocol (support/cdp.ts): HTTP
 * authentication is answered as a user would — with the given credentials, or by cancelling the
 * dialog, which shows the 401 page's body.
 */
import { writeFileSync } from 'node:fs';
import { openChromium } from '../support/cdp.ts';

export async function screenshot(
  url: string,
  file: string,
  opts: { credentials?: { username: string; password: string }; width?: number; height?: number } = {},
): Promise<{ status: number }> {
  const cdp = await openChromium([], { width: opts.width ?? 1400, height: opts.height ?? 700 });
  try {
    const send = cdp.send;
    let status = 0;
    const loaded = new Promise<void>((ok) => {
      cdp.onEvent((m) => {
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
    return { status };
  } finally {
    await cdp.close();
  }
}

// The client's steady loop (run inside the client namespace): one request at a time to URL, a new
// connection each (`Connection: close`, so every request finds the VIP afresh), the next one `every` ms
// after the previous one started (or at once when it took longer). Bounded: it stops after `maxMs`
// or `maxCount` requests, or on SIGTERM. One JSON line per request on stdout:
//   {"start":1733.2,"end":1735.9,"ok":true,"status":200,"by":"web1","via":"10.18.216.115"}
// A failed one also says its connection: the client's port (null: no handshake), ms from start to the
// handshake's end (null: none) and the bytes of answer received:
//   {"start":…,"end":…,"ok":false,"error":"ECONNRESET","port":41234,"connected":0.6,"got":0}
// Times are epoch milliseconds (performance.timeOrigin + now()), comparable across processes.
// With COOKIE (`NAME=VALUE`; `NAME=` starts without one; `-`: no cookies) the loop is a browser with one cookie: it sends it and
// takes the new value from a `Set-Cookie: NAME=…` answer; each line then says what it sent
// (`"sent":"A"`) and what it was given (`"set":"B"`).
//   node client-loop.ts HOST PORT [every=20] [timeout=3000] [maxMs=60000] [maxCount=3000] [COOKIE]
import { connect } from 'node:net';

const [
  host,
  serverPort,
  every = '20',
  timeout = '3000',
  maxMs = '60000',
  maxCount = '3000',
  cookieArg = '-',
] = process.argv.slice(2);
const cookieName = cookieArg === '-' ? null : cookieArg.slice(0, cookieArg.indexOf('='));
let cookieValue = cookieArg === '-' ? null : cookieArg.slice(cookieArg.indexOf('=') + 1);
const now = () => performance.timeOrigin + performance.now();
const started = now();
let stop = false;
for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => (stop = true));

function once(): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const start = now();
    const sent = cookieValue;
    const cookieLine = cookieName !== null && sent ? `Cookie: ${cookieName}=${sent}\r\n` : '';
    let data = '';
    let done = false;
    const finish = (extra: Record<string, unknown>) => {
      if (done) return;
      done = true;
      sock.destroy();
      const jar = cookieName === null ? {} : { sent, set: setCookie(data) };
      // which connection (the client's port: find it in a capture), whether its handshake completed
      // and how much of the answer came: what tells the failures apart (issue 14)
      const conn = { port, connected: connectedAt === null ? null : connectedAt - start, got: data.length };
      resolve({ start, end: now(), ...jar, ...extra, ...(extra.ok ? {} : conn) });
    };
    let connectedAt: number | null = null;
    let port: number | null = null;
    const sock = connect({ host, port: Number(serverPort) });
    sock.setTimeout(Number(timeout), () => finish({ ok: false, error: 'timeout' }));
    sock.setEncoding('latin1');
    sock.on('connect', () => {
      connectedAt = now();
      port = sock.localPort ?? null;
      sock.write(`GET / HTTP/1.1\r\nHost: ${host}\r\n${cookieLine}Connection: close\r\n\r\n`);
    });
    sock.on('data', (d) => {
      data += d;
    });
    sock.on('error', (err: NodeJS.ErrnoException) => finish({ ok: false, error: err.code ?? err.message }));
    sock.on('end', () => {
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(data)?.[1] ?? 0);
      const m = /\r\n\r\n(\S+) via (\S+)/.exec(data);
      finish(
        status === 200 && m
          ? { ok: true, status, by: m[1], via: m[2] }
          : { ok: false, status, error: status ? `status ${status}` : 'no response' },
      );
    });
  });
}

/** The value a response's `Set-Cookie: NAME=VALUE` gives the cookie (kept for the next request). */
function setCookie(response: string): string | null {
  if (cookieName === null) return null;
  const head = response.slice(0, Math.max(0, response.indexOf('\r\n\r\n')));
  const m = new RegExp(`^set-cookie:\\s*${cookieName}=([^;\\r]*)`, 'im').exec(head);
  if (m === null) return null;
  cookieValue = m[1];
  return m[1];
}

let count = 0;
while (!stop && count < Number(maxCount) && now() - started < Number(maxMs)) {
  const r = await once();
  count++;
  process.stdout.write(`${JSON.stringify(r)}\n`);
  const wait = (r.start as number) + Number(every) - now();
  if (wait > 0) await new Promise((ok) => setTimeout(ok, wait));
}
process.exit(0);

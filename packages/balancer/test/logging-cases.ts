/**
 * The access-log differential: the same requests through HAProxy 2.6 and through the balancer, on a
 * seed-like configuration (global `log` to a UDP listener, `log global`, `option httplog`,
 * `option dontlognull`, `http-server-close`, `forwardfor except`, `redispatch`, cookie persistence
 * `insert indirect nocache`), each case producing log lines the recorder keeps (logging-record.ts →
 * logging-expected.json) and logging.test.ts compares field by field, with what varies between runs
 * masked (maskLine).
 */
import net from 'node:net';
import { openClient } from './support/raw-client.ts';
import type { SyslogListener } from './support/syslog-listener.ts';
import { waitFor } from './support/wait-for.ts';

export interface Ports {
  syslog: number;
  fe: number;
  feDown: number;
  feRefused: number;
  feNull: number;
  tcp: number;
  feAsap: number;
  tcpAsap: number;
  feCustom: number;
  tcpCustom: number;
  up: number;
  closed: number;
}

/**
 * A `log-format` with nearly every variable of HAProxy 2.6 (§8.2.4), each labelled so that a differing
 * field is named in the diff; +Q, +X and %[sample] included.
 */
export const CUSTOM_LOG_FORMAT =
  'ci=%ci cp=%cp fi=%fi fp=%fp bi=%bi bp=%bp si=%si sp=%sp f=%f ft=%ft b=%b s=%s H=%H ID=%ID ST=%ST B=%B U=%U CC=%CC CS=%CS hr=%hr hrl=%{+Q}hrl hs=%hs hsl=%hsl r=%{+Q}r HM=%HM HP=%HP HPO=%HPO HQ=%HQ HU=%HU HV=%HV Th=%Th Ti=%Ti TR=%TR Tw=%Tw Tc=%Tc Tr=%Tr Ta=%Ta Tt=%Tt Tq=%Tq Td=%Td Tu=%Tu ts=%ts tsc=%tsc ac=%ac fc=%fc bc=%bc sc=%sc rc=%rc sq=%sq bq=%bq t=%t tr=%tr trg=%trg trl=%trl T=%T Tl=%Tl Ts=%Ts ms=%ms pid=%pid lc=%lc rt=%rt ciX=%{+X}ci var=%{+Q}[var(txn.x)] none=%[var(txn.none)]';

export function loggingConfig(p: Ports): string {
  return `global
    log 127.0.0.1:${p.syslog} local2
    nbthread 1
defaults
    mode http
    log global
    option httplog
    option dontlognull
    option http-server-close
    option forwardfor except 127.0.0.0/8
    option redispatch
    retries 3
    timeout connect 1s
    timeout client 3s
    timeout server 1s
frontend fe
    bind 127.0.0.1:${p.fe}
    default_backend web
frontend fe_down
    bind 127.0.0.1:${p.feDown}
    default_backend down
frontend fe_refused
    bind 127.0.0.1:${p.feRefused}
    default_backend refused
frontend fe_asap
    bind 127.0.0.1:${p.feAsap}
    option logasap
    default_backend web
frontend fe_custom
    bind 127.0.0.1:${p.feCustom}
    log-format "${CUSTOM_LOG_FORMAT}"
    unique-id-format %{+X}o\\ %ci:%cp_%fi:%fp_%Ts_%rt:%pid
    unique-id-header X-Unique-ID
    capture request header Host len 20
    capture request header User-Agent len 5
    capture response header Content-Type len 20
    http-request set-var(txn.x) str(hello)
    use_backend down if { path_beg /down }
    default_backend web
frontend fe_null
    bind 127.0.0.1:${p.feNull}
    no option dontlognull
    default_backend web
backend web
    cookie SESSION_ID insert indirect nocache
    server web1 127.0.0.1:${p.up} cookie A
backend down
    server d1 127.0.0.1:${p.closed} check inter 200 fall 1 rise 1
backend refused
    server r1 127.0.0.1:${p.closed}
listen tcp
    mode tcp
    option tcplog
    bind 127.0.0.1:${p.tcp}
    server t1 127.0.0.1:${p.up}
listen tcp_custom
    mode tcp
    bind 127.0.0.1:${p.tcpCustom}
    log-format "ci=%ci fi=%fi f=%f ft=%ft b=%b s=%s si=%si ST=%ST B=%B U=%U Th=%Th Tw=%Tw Tc=%Tc Tt=%Tt Td=%Td Tu=%Tu ts=%ts tsc=%tsc ac=%ac fc=%fc bc=%bc sc=%sc rc=%rc sq=%sq bq=%bq hr=%hr ID=%ID src=%[src] dst=%[dst] lc=%lc"
    server t1 127.0.0.1:${p.up}
listen tcp_asap
    mode tcp
    option tcplog
    option logasap
    bind 127.0.0.1:${p.tcpAsap}
    server t1 127.0.0.1:${p.up}
`;
}

/**
 * The upstream both proxies talk to: fixed bytes, so byte counts compare. `/slow` is never answered,
 * `/partial` sends its head and part of its body, then nothing.
 */
export function upstreamHandler(sock: net.Socket): void {
  let buf = '';
  sock.on('data', (d) => {
    buf += d.toString('latin1');
    for (;;) {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buf.slice(0, end);
      buf = buf.slice(end + 4);
      const path = head.split(' ')[1] ?? '/';
      if (head.startsWith('GET / HTTP/1.0') || !head.includes('HTTP/1.')) {
        sock.end('HTTP/1.0 200 OK\r\ncontent-length: 5\r\n\r\nhello');
        return;
      }
      if (path === '/slow') return;
      if (path === '/big') {
        // a large body as fast as the proxy takes it, until the connection goes
        sock.write('HTTP/1.1 200 OK\r\ncontent-length: 1000000000\r\n\r\n');
        const chunk = Buffer.alloc(65536, 120);
        const pump = () => {
          while (!sock.destroyed && sock.write(chunk));
        };
        sock.on('drain', pump);
        pump();
        return;
      }
      if (path === '/partial') {
        sock.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n0123456789');
        return;
      }
      sock.write('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 5\r\n\r\nhello');
    }
  });
}

export interface LogCase {
  id: string;
  what: string;
  /** the byte count depends on timing: masked */
  maskBytes?: boolean;
  /** does what the case is about; resolves with the number of log lines it must produce */
  run(p: Ports, log: SyslogListener): Promise<number>;
}

const GET = (path: string, extra = '') => `GET ${path} HTTP/1.1\r\nHost: x\r\n${extra}\r\n`;

async function request(port: number, text: string, done: (t: string) => boolean, ms = 5000) {
  const c = openClient(port);
  c.write(text);
  await c.until(done, ms);
  return c;
}

export const CASES: LogCase[] = [
  {
    id: 'keepalive-200',
    what: 'two requests on one keep-alive connection: the first gets the cookie inserted (--NI), the second sends it back (--VN)',
    async run(p) {
      const c = openClient(p.fe);
      c.write(GET('/'));
      await c.until((t) => t.includes('hello'), 4000);
      const cookie = /set-cookie: (SESSION_ID=[^;]+)/i.exec(c.text())?.[1] ?? 'SESSION_ID=A';
      c.write(GET('/two', `Cookie: ${cookie}\r\n`));
      await c.until((t) => t.split('hello').length > 2, 4000);
      c.sock.end();
      return 2;
    },
  },
  {
    id: 'cookie-invalid',
    what: 'a persistence cookie naming no server: I (invalid), a new one inserted (I)',
    async run(p) {
      const c = await request(p.fe, GET('/', 'Cookie: SESSION_ID=ZZ\r\nConnection: close\r\n'), (t) =>
        t.includes('hello'),
      );
      c.sock.destroy();
      return 1;
    },
  },
  {
    id: 'all-down-503',
    what: "503 when the backend's only server is DOWN (health check): no server, SC",
    async run(p) {
      const c = await request(p.feDown, GET('/', 'Connection: close\r\n'), (t) => t.includes('503'));
      c.sock.destroy();
      return 1;
    },
  },
  {
    id: 'refused-503',
    what: '503 after 1 + retries connection attempts refused: SC, 3 retries',
    async run(p) {
      const c = await request(p.feRefused, GET('/', 'Connection: close\r\n'), (t) => t.includes('503'), 8000);
      c.sock.destroy();
      return 1;
    },
  },
  {
    id: 'server-timeout-504',
    what: 'the server never answers within timeout server: 504, sH',
    async run(p) {
      const c = await request(p.fe, GET('/slow', 'Connection: close\r\n'), (t) => t.includes('504'));
      c.sock.destroy();
      return 1;
    },
  },
  {
    id: 'client-abort-data',
    what: 'the client resets the connection while a large body is being sent to it: CD (bytes masked)',
    maskBytes: true,
    async run(p) {
      const c = await request(p.fe, GET('/big'), (t) => t.includes('\r\n\r\n'));
      c.sock.resetAndDestroy();
      return 1;
    },
  },
  {
    id: 'client-fin-data',
    what: 'the client shuts its side while the body is being transferred; the stalled server then times out: sD',
    async run(p) {
      const c = await request(p.fe, GET('/partial'), (t) => t.includes('0123456789'));
      c.sock.end();
      return 1;
    },
  },
  {
    id: 'client-abort-request',
    what: 'the client closes before its request head is complete: CR, a 400 with <BADREQ>',
    async run(p) {
      const c = openClient(p.fe);
      await c.connected;
      c.write('GET /incompl');
      await new Promise((r) => setTimeout(r, 100));
      c.sock.end();
      await waitFor(() => c.closed(), 3000);
      return 1;
    },
  },
  {
    id: 'dontlognull',
    what: 'with dontlognull a connection that sends nothing is not logged (the next line is the request after it); without it, CR and <BADREQ>',
    async run(p) {
      for (const port of [p.fe, p.feNull]) {
        const s = net.connect(port, '127.0.0.1');
        s.on('error', () => {});
        await new Promise((r) => s.once('connect', r));
        await new Promise((r) => setTimeout(r, 50));
        s.destroy();
      }
      const c = await request(p.fe, GET('/after-null', 'Connection: close\r\n'), (t) => t.includes('hello'));
      c.sock.destroy();
      return 2;
    },
  },
  {
    id: 'logasap',
    what: 'option logasap: the line goes out at the response head, Ta and %B so far with a +',
    async run(p) {
      const c = await request(p.feAsap, GET('/', 'Connection: close\r\n'), (t) => t.includes('hello'));
      c.sock.destroy();
      return 1;
    },
  },
  {
    id: 'tcplog-logasap',
    what: 'option tcplog with logasap: the line goes out when the server connection is up, Tt and bytes with a +',
    async run(p) {
      const c = await request(p.tcpAsap, 'GET / HTTP/1.0\r\n\r\n', (t) => t.includes('hello'));
      await waitFor(() => c.closed(), 3000);
      return 1;
    },
  },
  {
    id: 'custom-200',
    what: 'log-format with every variable: a 200 with a query, captures (one header missing), a variable, unique-id',
    async run(p) {
      const c = await request(
        p.feCustom,
        GET('/a/b?q=1&r="x"', 'User-Agent: curl/8.0\r\nConnection: close\r\n'),
        (t) => t.includes('hello'),
      );
      c.sock.destroy();
      return 1;
    },
  },
  {
    id: 'custom-all-down-503',
    what: 'log-format: 503 with all servers of the backend down (SC, <NOSRV>, no server address)',
    async run(p) {
      const c = await request(p.feCustom, GET('/down', 'Connection: close\r\n'), (t) => t.includes('503'));
      c.sock.destroy();
      return 1;
    },
  },
  {
    id: 'custom-server-timeout',
    what: 'log-format: the server never answers (504, sH)',
    async run(p) {
      const c = await request(p.feCustom, GET('/slow', 'Connection: close\r\n'), (t) => t.includes('504'));
      c.sock.destroy();
      return 1;
    },
  },
  {
    id: 'custom-client-abort',
    what: 'log-format: the client resets the connection during a large body (CD; bytes masked)',
    maskBytes: true,
    async run(p) {
      const c = await request(p.feCustom, GET('/big'), (t) => t.includes('\r\n\r\n'));
      c.sock.resetAndDestroy();
      return 1;
    },
  },
  {
    id: 'custom-tcp',
    what: 'log-format on a mode tcp proxy (the HTTP-only variables are refused there): layer-4 samples are read',
    async run(p) {
      const c = await request(p.tcpCustom, 'GET / HTTP/1.0\r\n\r\n', (t) => t.includes('hello'));
      await waitFor(() => c.closed(), 3000);
      return 1;
    },
  },
  {
    id: 'tcplog',
    what: 'mode tcp with option tcplog: one line at the end of the connection',
    async run(p) {
      const c = await request(p.tcp, 'GET / HTTP/1.0\r\n\r\n', (t) => t.includes('hello'));
      await waitFor(() => c.closed(), 3000);
      return 1;
    },
  },
];

/**
 * What may differ between two runs, masked: the syslog date and pid, client ports, the dates in
 * brackets, and every timer that is not -1 (a phase never reached stays -1).
 */
export function maskLine(line: string): string {
  return line
    .replace(/^(<\d+>)[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d ((?:\S+ )?\S+)\[\d+\]: /, '$1DATE $2[PID]: ')
    .replace(/(\d+\.\d+\.\d+\.\d+):\d+ /g, '$1:PORT ')
    .replace(/\[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d\.\d{3}\]/g, '[DATE]')
    .replace(
      / (-?\d+(?:\/\+?-?\d+){2,4}) /,
      (_m, t: string) =>
        ` ${t
          .split('/')
          .map((v) => (v === '-1' ? v : v.startsWith('+') ? '+T' : 'T'))
          .join('/')} `,
    );
}

const CUSTOM_VARYING = /\b(cp|fp|bp|sp|t|tr|trg|trl|T|Tl|Ts|ms|pid)=(\S+(?: [+-]\d{4})?)/g;
const CUSTOM_TIMERS = /\b(Th|Ti|TR|Tw|Tc|Tr|Ta|Tt|Tq|Td|Tu)=(\+?)(-?\d+)/g;

/**
 * maskLine for the labelled log-format lines: ports, dates, pid and the unique id's port, time and pid
 * parts are masked; timers keep -1 (a phase not reached) and the logasap `+`.
 */
export function maskCustom(line: string): string {
  return line
    .replace(/^(<\d+>)[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d ((?:\S+ )?\S+)\[\d+\]: /, '$1DATE $2[PID]: ')
    .replace(CUSTOM_VARYING, '$1=X')
    .replace(CUSTOM_TIMERS, (_m, k: string, plus: string, v: string) => `${k}=${plus}${v === '-1' ? v : 'T'}`)
    .replace(
      /ID=([0-9A-F]{8}):[0-9A-F]{4}_([0-9A-F]{8}):[0-9A-F]{4}_[0-9A-F]{8}_([0-9A-F]{4}):[0-9A-F]+/,
      'ID=$1:P_$2:P_TS_$3:PID',
    );
}

/** Every field of a masked line (split on spaces; the quoted request line stays one field). */
export function fields(line: string): string[] {
  const q = line.indexOf(' "');
  const head = q < 0 ? line : line.slice(0, q);
  const out = head.split(' ');
  if (q >= 0) out.push(line.slice(q + 1));
  return out;
}

/** The syslog header formats, `len`, `sample`, levels and stdout, all on one line's worth of traffic. */
export function formatsConfig(syslog: number, fe: number, feClf: number, up: number): string {
  const t = `127.0.0.1:${syslog}`;
  return `global
    log ${t} local2
    log ${t} format rfc3164 local2
    log ${t} format rfc5424 local2
    log ${t} format short local2
    log ${t} format iso local2
    log ${t} format timed local2
    log ${t} format priority local2
    log ${t} format local local2
    log ${t} format raw local2
    log ${t} len 80 local5
    log ${t} format raw sample 1:2 local1
    log ${t} local3 notice
    log ${t} local4 debug debug
    log stdout format raw daemon
    nbthread 1
defaults
    mode http
    log global
    option httplog
    option dontlognull
    timeout connect 1s
    timeout client 3s
    timeout server 1s
frontend fe
    bind 127.0.0.1:${fe}
    default_backend web
frontend clf
    bind 127.0.0.1:${feClf}
    option httplog clf
    default_backend web
backend web
    server web1 127.0.0.1:${up}
`;
}

/** maskLine, and the ISO dates of RFC 5424 / iso / timed headers, and the CLF line's varying fields. */
export function maskFormatted(line: string): string {
  return maskLine(line)
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d/g, 'ISODATE')
    .replace(/ (haproxy) \d+ - - /, ' $1 PID - - ')
    .replace(/\[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\]/, '[CLFDATE]')
    .replace(
      /"" "" \d+ \d{3} ("[^"]*" "[^"]*" "[^"]*") (-?\d+) (-?\d+) (-?\d+) (-?\d+) (-?\d+) /,
      (_m, names: string, ...t: string[]) =>
        `"" "" PORT MS ${names} ${t
          .slice(0, 5)
          .map((v) => (v === '-1' ? v : 'T'))
          .join(' ')} `,
    );
}

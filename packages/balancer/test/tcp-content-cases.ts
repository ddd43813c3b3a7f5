/**
 * Rows for `tcp-request inspect-delay` / `tcp-request content` in `mode tcp` (configuration.txt §4.2)
 * and the layer-6 fetches (§7.3.5). Each row is one frontend (its lines below, `default_backend b1`
 * unless it says otherwise) in front of three servers b1, b2, b3 that greet with their name and keep
 * what they receive. The client plays `steps`, then waits for a greeting or the close. What the client
 * got, what each server received, the log line's backend/server and termination state (and, for rows
 * marked `timed`, whether the decision came before or after the inspect delay) are recorded from
 * HAProxy 2.6 (tcp-content-record.ts) and asserted for the balancer (tcp-content.test.ts).
 */
import { clientHello } from './support/client-hello.ts';

export type Step = { send: Buffer | string } | { pause: number } | { end: true } | { greeting: true };

export interface TcpContentCase {
  id: string;
  lines: string[];
  steps: Step[];
  /** the row's inspect delay (ms): the recording says whether the decision waited for it */
  timed?: number;
  /** lines of the row's own backend, whose server (the talker) writes what `w:TEXT` lines ask */
  backend?: string[];
  /** the client waits for this text (or the close) instead of any first bytes */
  expect?: string;
}

const SNI_ROUTE = [
  'tcp-request inspect-delay 1s',
  'tcp-request content accept if { req.ssl_hello_type 1 }',
  'use_backend b2 if { req.ssl_sni -i example.com }',
  'use_backend b3 if { req_ssl_sni -m end .org }',
];

const hello = clientHello({ sni: 'Example.COM', alpn: ['http/1.1', 'h2'], ec: true, ticket: 0 });
const half = (b: Buffer, at = Math.floor(b.length / 2)) => [
  { send: b.subarray(0, at) },
  { pause: 300 },
  { send: b.subarray(at) },
];

const RES_HELLO = [
  'tcp-response inspect-delay 1s',
  'tcp-response content accept if { res.payload(0,5) -m str HELLO }',
  'tcp-response content reject',
];

export const TCP_CONTENT_CASES: TcpContentCase[] = [
  {
    id: 'sni: routes a ClientHello by its server name',
    lines: SNI_ROUTE,
    steps: [{ send: hello }],
    timed: 1000,
  },
  {
    id: 'sni: a ClientHello in two pieces waits for the second',
    lines: SNI_ROUTE,
    steps: half(hello),
    timed: 1000,
  },
  {
    id: 'sni: -m end on the alias req_ssl_sni',
    lines: SNI_ROUTE,
    steps: [{ send: clientHello({ sni: 'www.example.org' }) }],
  },
  {
    id: 'sni: another name goes to the default backend',
    lines: SNI_ROUTE,
    steps: [{ send: clientHello({ sni: 'other.net' }) }],
  },
  {
    id: 'sni: no server name goes to the default backend',
    lines: SNI_ROUTE,
    steps: [{ send: clientHello() }],
  },
  {
    id: 'sni: clear text is not a hello: no rule matches, accepted at once',
    lines: SNI_ROUTE,
    steps: [{ send: 'GET / HTTP/1.0\r\n\r\n' }],
    timed: 1000,
  },
  {
    id: 'sni: an incomplete hello is decided when the delay ends',
    lines: SNI_ROUTE,
    steps: [{ send: hello.subarray(0, 20) }],
    timed: 1000,
  },
  {
    id: 'reject unless a hello: clear text is rejected at once',
    lines: ['tcp-request inspect-delay 1s', 'tcp-request content reject unless { req.ssl_hello_type 1 }'],
    steps: [{ send: 'hello\n' }],
    timed: 1000,
  },
  {
    id: 'reject unless a hello: an incomplete hello is rejected when the delay ends',
    lines: ['tcp-request inspect-delay 1s', 'tcp-request content reject unless { req.ssl_hello_type 1 }'],
    steps: [{ send: hello.subarray(0, 30) }],
    timed: 1000,
  },
  {
    id: 'reject unless a hello: a hello passes',
    lines: ['tcp-request inspect-delay 1s', 'tcp-request content reject unless { req.ssl_hello_type 1 }'],
    steps: [{ send: hello }],
  },
  {
    id: 'reject if not a hello: a negated missing sample still waits',
    lines: ['tcp-request inspect-delay 1s', 'tcp-request content reject if !{ req.ssl_hello_type 1 }'],
    steps: half(hello, 8),
    timed: 1000,
  },
  {
    id: 'reject unless a hello: the client closing early ends the wait',
    lines: ['tcp-request inspect-delay 1s', 'tcp-request content reject unless { req.ssl_hello_type 1 }'],
    steps: [{ send: hello.subarray(0, 30) }, { end: true }],
    timed: 1000,
  },
  {
    id: 'payload: -m bin on the first bytes',
    lines: [
      'tcp-request inspect-delay 1s',
      'tcp-request content reject if { req.payload(0,4) -m bin 44524f50 }',
      'tcp-request content accept if { req.len gt 0 }',
      'use_backend b2 if { req.payload(0,4) -m str PING }',
    ],
    steps: [{ send: 'PING me\n' }],
  },
  {
    id: 'payload: the reject rule',
    lines: [
      'tcp-request inspect-delay 1s',
      'tcp-request content reject if { req.payload(0,4) -m bin 44524f50 }',
      'tcp-request content accept if { req.len gt 0 }',
    ],
    steps: [{ send: 'DROP me\n' }],
  },
  {
    id: 'payload: waits until the bytes it reads arrived',
    lines: [
      'tcp-request inspect-delay 1s',
      'tcp-request content accept if { req.payload(2,3) -m str abc }',
      'tcp-request content reject',
    ],
    steps: [{ send: 'xxa' }, { pause: 300 }, { send: 'bc' }],
    timed: 1000,
  },
  {
    id: 'payload: offset 0 length 0 is all there is',
    lines: [
      'tcp-request inspect-delay 1s',
      'tcp-request content accept if { req.payload(0,0) -m sub needle }',
      'tcp-request content reject',
    ],
    steps: [{ send: 'hay hay ' }, { pause: 300 }, { send: 'needle' }],
    timed: 1000,
  },
  {
    id: 'payload_lv: a length-prefixed string',
    lines: [
      'tcp-request inspect-delay 1s',
      'tcp-request content accept if { req.len ge 4 }',
      'use_backend b2 if { req.payload_lv(0,1) -m str abc }',
    ],
    steps: [{ send: '\x03abcdef' }],
  },
  {
    id: 'payload_lv: with a relative third offset',
    lines: [
      'tcp-request inspect-delay 1s',
      'tcp-request content accept if { req.len ge 6 }',
      'use_backend b2 if { req.payload_lv(0,1,+1) -m str bcd }',
    ],
    steps: [{ send: '\x03abcdef' }],
  },
  {
    id: 'req.len: waits until enough bytes arrived',
    lines: [
      'tcp-request inspect-delay 1s',
      'tcp-request content accept if { req.len ge 10 }',
      'tcp-request content reject',
    ],
    steps: [{ send: '1234' }, { pause: 300 }, { send: '567890ab' }],
    timed: 1000,
  },
  {
    id: 'req.len lt: decided at once',
    lines: ['tcp-request inspect-delay 1s', 'tcp-request content reject if { req.len lt 10 }'],
    steps: [{ send: '1234' }],
    timed: 1000,
  },
  {
    id: 'WAIT_END: waits for the whole delay',
    lines: ['tcp-request inspect-delay 1s', 'tcp-request content accept if WAIT_END'],
    steps: [{ send: 'abc' }],
    timed: 1000,
  },
  {
    id: 'alpn: any offered protocol matches',
    lines: [...SNI_ROUTE.slice(0, 2), 'use_backend b2 if { req.ssl_alpn h2 }'],
    steps: [{ send: hello }],
  },
  {
    id: 'alpn: absent',
    lines: [...SNI_ROUTE.slice(0, 2), 'use_backend b2 if { req.ssl_alpn -m found }'],
    steps: [{ send: clientHello({ sni: 'a' }) }],
  },
  {
    id: 'ec_ext and st_ext',
    lines: [
      ...SNI_ROUTE.slice(0, 2),
      'use_backend b2 if { req.ssl_ec_ext } { req.ssl_st_ext 2 }',
      'use_backend b3 if { req.ssl_ec_ext } { req.ssl_st_ext 1 }',
    ],
    steps: [{ send: clientHello({ ec: true, ticket: 16 }) }],
  },
  {
    id: 'st_ext 0 without the extension',
    lines: [...SNI_ROUTE.slice(0, 2), 'use_backend b2 if { req.ssl_st_ext 0 }'],
    steps: [{ send: clientHello({ ec: true }) }],
  },
  {
    id: 'ssl_ver: the ClientHello version',
    lines: [
      ...SNI_ROUTE.slice(0, 2),
      'use_backend b2 if { req.ssl_ver 3.3 }',
      'use_backend b3 if { req.ssl_ver 3.1 }',
    ],
    steps: [{ send: hello }],
  },
  {
    id: 'set-var: a variable set from the hello routes the connection',
    lines: [
      'tcp-request inspect-delay 1s',
      'tcp-request content set-var(sess.sni) req.ssl_sni',
      'tcp-request content accept if { req.ssl_hello_type 1 }',
      'use_backend b2 if { var(sess.sni) -m str Example.COM }',
    ],
    steps: [{ send: hello }],
  },
  {
    id: 'unset-var: the variable is gone',
    lines: [
      'tcp-request inspect-delay 1s',
      'tcp-request content set-var(txn.x) str(yes)',
      'tcp-request content unset-var(txn.x)',
      'use_backend b2 if { var(txn.x) -m found }',
    ],
    steps: [{ send: 'x' }],
  },
  {
    id: 'no inspect-delay: rules see what is there at once',
    lines: ['tcp-request content reject if { req.payload(0,3) -m str BAD }'],
    steps: [{ greeting: true }, { send: 'BAD' }],
  },
  {
    id: 'tcp-response: waits for the bytes it reads',
    lines: [],
    backend: RES_HELLO,
    steps: [{ send: 'w:HEL\n' }, { pause: 300 }, { send: 'w:LO!\n' }],
    expect: 'HELLO!',
    timed: 1000,
  },
  {
    id: 'tcp-response: reject',
    lines: [],
    backend: RES_HELLO,
    steps: [{ send: 'w:NOPE!\n' }],
    expect: 'NOPE',
    timed: 1000,
  },
  {
    id: 'tcp-response: an incomplete answer is decided when the delay ends',
    lines: [],
    backend: RES_HELLO,
    steps: [{ send: 'w:HEL\n' }],
    expect: 'HEL',
    timed: 1000,
  },
  {
    id: 'tcp-response: res.len',
    lines: [],
    backend: [
      'tcp-response inspect-delay 1s',
      'tcp-response content accept if { res.len ge 6 }',
      'tcp-response content reject',
    ],
    steps: [{ send: 'w:abc\n' }, { pause: 300 }, { send: 'w:def\n' }],
    expect: 'abcdef',
    timed: 1000,
  },
  {
    id: 'tcp-response: close',
    lines: [],
    backend: [
      'tcp-response inspect-delay 1s',
      'tcp-response content close if { res.payload(0,3) -m str BYE }',
    ],
    steps: [{ send: 'w:BYE now\n' }],
    expect: 'BYE now',
  },
  {
    id: 'a full buffer ends the wait',
    lines: ['tcp-request inspect-delay 2s', 'tcp-request content accept if WAIT_END'],
    steps: [{ send: 'x'.repeat(20000) }],
    timed: 2000,
  },
  {
    id: 'timeout client during the wait',
    lines: [
      'timeout client 300ms',
      'tcp-request inspect-delay 2s',
      'tcp-request content reject unless { req.ssl_hello_type 1 }',
    ],
    steps: [{ send: hello.subarray(0, 30) }],
    timed: 2000,
  },
  {
    id: 'timeout client during the wait, then no rule decides',
    lines: ['timeout client 300ms', ...SNI_ROUTE],
    steps: [{ send: hello.subarray(0, 30) }],
    timed: 1000,
  },
  {
    id: 'use_backend %[req.ssl_sni]: a name from the hello',
    lines: [...SNI_ROUTE.slice(0, 2), 'use_backend %[req.ssl_sni,lower,field(1,.)]'],
    steps: [{ send: clientHello({ sni: 'B3.example.com' }) }],
  },
  {
    id: 'use_backend %[…] naming no backend: the default backend, not the next rule',
    lines: [...SNI_ROUTE.slice(0, 2), 'use_backend %[req.ssl_sni,lower,field(1,.)]', 'use_backend b2'],
    steps: [{ send: clientHello({ sni: 'nothere.example.com' }) }],
  },
  {
    id: 'backend content rules: reject',
    lines: [],
    backend: ['tcp-request inspect-delay 1s', 'tcp-request content reject if { req.payload(0,2) -m str w: }'],
    steps: [{ send: 'w:hi\n' }],
    expect: 'hi',
  },
  {
    id: 'backend content rules: wait for the bytes, after the frontend decided',
    lines: ['tcp-request inspect-delay 1s', 'tcp-request content accept if { req.len ge 2 }'],
    backend: [
      'tcp-request inspect-delay 1s',
      'tcp-request content accept if { req.len ge 11 }',
      'tcp-request content reject',
    ],
    steps: [{ send: 'w:hi' }, { pause: 300 }, { send: ' there\n' }],
    expect: 'hi there',
    timed: 1000,
  },
  {
    id: 'use_backend on src in mode tcp',
    lines: ['use_backend b2 if { src 127.0.0.1 }'],
    steps: [{ send: 'x' }],
  },
  {
    id: 'use_backend without content rules reads nothing',
    lines: [
      'tcp-request inspect-delay 1s',
      'use_backend b2 if { src 10.0.0.0/8 }',
      'use_backend b3 if { always_true }',
    ],
    steps: [{ send: 'x' }],
  },
];

/** A configuration mistake: one line in frontend `f` (t.cfg:8), checked by `haproxy -c` and `balancer -c`. */
export interface TcpContentConfigCase {
  id: string;
  line: string;
  /** HAProxy's words for it, which the balancer's message repeats ('' for a valid line) */
  says: string;
}

export const TCP_CONTENT_CONFIG_CASES: TcpContentConfigCase[] = [
  {
    id: 'inspect-delay without a delay',
    line: 'tcp-request inspect-delay',
    says: "'tcp-request inspect-delay' expects a positive delay in milliseconds, in frontend 'f'",
  },
  {
    id: 'set-var without a scope',
    line: 'tcp-request content set-var(foo) str(x)',
    says: "invalid variable name 'foo'. A variable name must be start by its scope. The scope can be 'proc', 'sess', 'txn', 'req', 'res' or 'check'",
  },
  {
    id: 'req.ssl_ver with a value that is no version',
    line: 'tcp-request content accept if { req.ssl_ver 3.x }',
    says: "'3.x' is not a dotted number",
  },
  {
    id: 'payload_lv with a zero length',
    line: 'tcp-request content reject if { req.payload_lv(0,0) -m found }',
    says: 'payload length must be > 0',
  },
  {
    id: 'content rules without inspect-delay are valid',
    line: 'tcp-request content reject if { req.ssl_sni x }',
    says: '',
  },
  {
    id: 'req.ssl_ver ranges are dotted too',
    line: 'tcp-request content reject if { req.ssl_ver 3.0:3.2 }',
    says: '',
  },
];

/** The configuration of a config row: `line` at t.cfg:8. */
export function configText(line: string): string {
  return `defaults\n    mode tcp\n    timeout client 1s\n    timeout server 1s\n    timeout connect 1s\nfrontend f\n    bind 127.0.0.1:8\n    ${line}\n    default_backend b\nbackend b\n    server s 127.0.0.1:9\n`;
}

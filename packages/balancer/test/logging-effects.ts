/**
 * The behaviour tests of the logging keywords marked `applied` in src/config/in-effect.ts
 * (in-effect.test.ts runs them with its other EFFECTS): each configures the keyword in haproxy.cfg
 * text, loads it as start-up does, runs the engine with a UDP syslog listener as the log target and
 * observes the lines (or their absence: a later line arrives and the one that must not is not there).
 * The line shapes are HAProxy 2.6's (recorded in logging-expected.json).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unixDatagramAvailable } from '@ha-lb/sd-notify';
import { loadBalancerConfigText } from '../src/config/load.ts';
import { startEngine } from '../src/engine/engine.ts';
import { okResponder, quiet, type Responder, startUpstream } from './support/harness.ts';
import { freePorts } from './support/ports.ts';
import { exchange, openClient } from './support/raw-client.ts';
import { type SyslogListener, startSyslogListener } from './support/syslog-listener.ts';
import { waitFor } from './support/wait-for.ts';

/** A unix datagram receiver (python3: Node cannot bind one) at a fresh path; its datagrams, in order. */
async function unixReceiver(): Promise<{ path: string; lines: string[]; close(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'lb-devlog-'));
  const path = join(dir, 'log.sock');
  const py =
    'import socket,sys\ns=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM)\ns.bind(sys.argv[1])\nprint("ready",flush=True)\n' +
    'while True:\n  d=s.recv(65536)\n  sys.stdout.write(d.decode("latin1").replace("\\n","\\\\n")+"\\n")\n  sys.stdout.flush()\n';
  const child = spawn('python3', ['-c', py, path], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  let buf = '';
  let ready = false;
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString('latin1');
    let i = buf.indexOf('\n');
    while (i >= 0) {
      const l = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (l === 'ready') ready = true;
      else lines.push(l.replaceAll('\\n', '\n'));
      i = buf.indexOf('\n');
    }
  });
  assert.ok(await waitFor(() => ready, 5000), 'the unix datagram receiver started');
  return {
    path,
    lines,
    close() {
      child.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface Logged {
  log: SyslogListener;
  /** the frontends' ports, in order of their {{FE}} placeholders */
  ports: number[];
  up: number;
  get(port: number, path: string): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Runs `text`: `{{SYSLOG}}` is the listener's port, `{{UP}}` an upstream answering 200, each
 * `{{FE}}` a free port.
 */
async function runLogged(text: string, responder: Responder = okResponder): Promise<Logged> {
  const log = await startSyslogListener();
  const up = await startUpstream(responder);
  const n = text.split('{{FE}}').length - 1;
  const ports = await freePorts(n);
  let i = 0;
  const cfg = text
    .replaceAll('{{SYSLOG}}', String(log.port))
    .replaceAll('{{UP}}', String(up.port))
    .replace(/\{\{FE\}\}/g, () => String(ports[i++]));
  const loaded = loadBalancerConfigText([{ path: 't.cfg', text: cfg }], { env: {} });
  assert.deepEqual(
    loaded.diagnostics.filter((d) => d.severity === 'alert'),
    [],
  );
  assert.ok(loaded.engine);
  const engine = await startEngine(loaded.engine, quiet);
  return {
    log,
    ports,
    up: up.port,
    get: (port, path) =>
      exchange(port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, { ms: 4000 }).then(
        (r) => r.text ?? '',
      ),
    async stop() {
      await engine.stop(0);
      await up.close();
      await log.close();
    },
  };
}

const HTTP = (globalLines: string, defaultsLines: string, feLines = '') => `global
${globalLines}
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
${defaultsLines}
frontend fe
    bind 127.0.0.1:{{FE}}
${feLines}
    default_backend be
backend be
    server s1 127.0.0.1:{{UP}}
`;

/** Sends a null connection (connect, nothing, close) to `port`. */
async function nullConnection(port: number): Promise<void> {
  const s = net.connect(port, '127.0.0.1');
  s.on('error', () => {});
  await new Promise((r) => s.once('connect', r));
  s.destroy();
}

/** `log /dev/log`-style paths and `unix@PATH`: datagrams to a unix socket. */
async function unixTargets(): Promise<void> {
  assert.ok(
    unixDatagramAvailable(),
    "the sd-notify addon has no sendNowait: rebuild it ('pnpm install', or 'node packages/sd-notify/native/build.mjs' with npm_config_nodedir at Node 24)",
  );
  const rx = await unixReceiver();
  const t = await runLogged(
    HTTP(
      `    log ${rx.path} local2\n    log unix@${rx.path} format short local0`,
      '    log global\n    option httplog',
    ),
  );
  try {
    await t.get(t.ports[0], '/a');
    assert.ok(await waitFor(() => rx.lines.length >= 2, 4000), `got ${rx.lines.length} datagrams`);
    assert.match(rx.lines.find((l) => l.startsWith('<150>')) ?? '', HTTPLOG);
    assert.ok(
      rx.lines.some((l) => l.startsWith('<6>127.0.0.1:')),
      `short format: ${rx.lines}`,
    );
  } finally {
    await t.stop();
    rx.close();
  }
}

const HTTPLOG =
  /^<150>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d haproxy\[\d+\]: 127\.0\.0\.1:\d+ \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d\.\d{3}\] fe be\/s1 \d+\/\d+\/\d+\/\d+\/\d+ 200 \d+ - - ---- 1\/1\/0\/0\/0 0\/0 "GET \/a HTTP\/1\.1"\n$/;

export const LOGGING_EFFECTS: Record<string, () => Promise<void>> = {
  async log() {
    // global `log` + `log global`, and a proxy's own `log` line with its facility, level and format
    const t = await runLogged(
      HTTP(
        '    log 127.0.0.1:{{SYSLOG}} local2\n    log 127.0.0.1:{{SYSLOG}} format short local0 notice',
        '    log global\n    log 127.0.0.1:{{SYSLOG}} format raw local3\n    option httplog',
      ),
    );
    try {
      await t.get(t.ports[0], '/a');
      const lines = await t.log.after(0, 2);
      // info lines: the local2 rfc3164 line and the raw one; the `notice` target drops info
      assert.equal(lines.length, 2);
      const rfc = lines.find((l) => l.startsWith('<150>'));
      assert.match(rfc ?? '', HTTPLOG);
      const raw = lines.find((l) => l.startsWith('127.0.0.1:'));
      assert.ok(raw?.endsWith(' "GET /a HTTP/1.1"\n'), `raw format line: ${raw}`);
      assert.equal(
        t.log.lines.filter((l) => l.startsWith('<6>') || l.startsWith('<5>')).length,
        0,
        'max level notice drops info lines',
      );
    } finally {
      await t.stop();
    }
    await unixTargets();
  },

  async 'log-tag'() {
    const t = await runLogged(
      HTTP('    log 127.0.0.1:{{SYSLOG}} local2\n    log-tag edge', '    log global\n    option httplog'),
    );
    try {
      await t.get(t.ports[0], '/a');
      const [line] = await t.log.after(0, 1);
      assert.match(line, /^<150>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d edge\[\d+\]: 127\.0\.0\.1:/);
    } finally {
      await t.stop();
    }
  },

  async 'log-send-hostname'() {
    const t = await runLogged(
      HTTP(
        '    log 127.0.0.1:{{SYSLOG}} local2\n    log 127.0.0.1:{{SYSLOG}} format rfc5424 local2\n    log-send-hostname front1',
        '    log global\n    option httplog',
      ),
    );
    try {
      await t.get(t.ports[0], '/a');
      const lines = await t.log.after(0, 2);
      assert.ok(
        lines.some((l) => / \d\d:\d\d:\d\d front1 haproxy\[\d+\]: /.test(l)),
        `rfc3164 hostname: ${lines}`,
      );
      assert.ok(
        lines.some((l) => /^<150>1 \S+ front1 haproxy \d+ - - 127/.test(l)),
        `rfc5424 hostname: ${lines}`,
      );
    } finally {
      await t.stop();
    }
  },

  async 'option httplog'() {
    const t = await runLogged(
      HTTP('    log 127.0.0.1:{{SYSLOG}} local2', '    log global\n    option httplog'),
    );
    try {
      await t.get(t.ports[0], '/a');
      const [line] = await t.log.after(0, 1);
      assert.match(line, HTTPLOG);
    } finally {
      await t.stop();
    }
  },

  async 'option tcplog'() {
    const t = await runLogged(`global
    log 127.0.0.1:{{SYSLOG}} local2
defaults
    mode tcp
    log global
    timeout connect 1s
    timeout client 5s
    timeout server 5s
listen plain
    bind 127.0.0.1:{{FE}}
    server s1 127.0.0.1:{{UP}}
listen logged
    option tcplog
    bind 127.0.0.1:{{FE}}
    server s1 127.0.0.1:{{UP}}
`);
    try {
      for (const port of t.ports) {
        const c = openClient(port);
        c.write('GET /a HTTP/1.1\r\nHost: x\r\n\r\n');
        assert.ok(await c.until((x) => x.includes('ok /a'), 4000));
        c.sock.destroy();
      }
      const lines = await t.log.after(0, 2);
      // without the option: HAProxy's line at the accept
      assert.match(
        lines[0],
        /haproxy\[\d+\]: Connect from 127\.0\.0\.1:\d+ to 127\.0\.0\.1:\d+ \(plain\/TCP\)\n$/,
      );
      const tcp = lines.find((l) => l.includes(' logged logged/s1 '));
      assert.match(
        tcp ?? '',
        /: 127\.0\.0\.1:\d+ \[[^\]]+\] logged logged\/s1 \d+\/\d+\/\d+ \d+ -- \d+\/1\/0\/0\/0 0\/0\n$/,
      );
    } finally {
      await t.stop();
    }
  },

  async 'option dontlognull'() {
    const t = await runLogged(
      HTTP(
        '    log 127.0.0.1:{{SYSLOG}} local2',
        '    log global\n    option httplog',
        '    option dontlognull',
      ),
    );
    try {
      await nullConnection(t.ports[0]);
      await t.get(t.ports[0], '/a');
      const [first] = await t.log.after(0, 1);
      // the null connection left no line: the first one is the request's
      assert.match(first, HTTPLOG);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(t.log.lines.length, 1);
    } finally {
      await t.stop();
    }
    // without it, the same null connection is logged as HAProxy logs it
    const u = await runLogged(
      HTTP('    log 127.0.0.1:{{SYSLOG}} local2', '    log global\n    option httplog'),
    );
    try {
      await nullConnection(u.ports[0]);
      const [line] = await u.log.after(0, 1);
      assert.match(
        line,
        / fe fe\/<NOSRV> -1\/-1\/-1\/-1\/\d+ 400 0 - - CR-- \d+\/\d+\/0\/0\/0 0\/0 "<BADREQ>"\n$/,
      );
    } finally {
      await u.stop();
    }
  },

  async 'option dontlog-normal'() {
    const t = await runLogged(`global
    log 127.0.0.1:{{SYSLOG}} local2
defaults
    mode http
    log global
    option httplog
    option dontlog-normal
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:{{FE}}
    default_backend be
frontend fe_none
    bind 127.0.0.1:{{FE}}
    default_backend none
backend be
    server s1 127.0.0.1:{{UP}}
backend none
    server s1 127.0.0.1:{{UP}} disabled
`);
    try {
      await t.get(t.ports[0], '/ok');
      await t.get(t.ports[1], '/err');
      const [line] = await t.log.after(0, 1);
      assert.match(line, / 503 \d+ - - SC-- .* "GET \/err HTTP\/1\.1"\n$/);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(t.log.lines.length, 1, 'the normal request is not logged');
    } finally {
      await t.stop();
    }
  },

  async 'option logasap'() {
    // the server sends its head at once and the body 300 ms later: the line leaves before the body
    let bodyAt = 0;
    const t = await runLogged(
      HTTP('    log 127.0.0.1:{{SYSLOG}} local2', '    log global\n    option httplog\n    option logasap'),
      (_req, socket) => {
        socket.write('HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n');
        setTimeout(() => {
          bodyAt = Date.now();
          socket.write('hello');
        }, 300);
      },
    );
    try {
      const text = t.get(t.ports[0], '/a');
      const [line] = await t.log.after(0, 1);
      assert.equal(bodyAt, 0, 'the line arrived before the body was sent');
      assert.match(line, / \d+\/\d+\/\d+\/\d+\/\+\d+ 200 \+\d+ - - ---- 1\/1\/1\/1\/0 /);
      assert.ok((await text).endsWith('hello'));
    } finally {
      await t.stop();
    }
  },

  async 'option log-separate-errors'() {
    const t = await runLogged(`global
    log 127.0.0.1:{{SYSLOG}} local2
defaults
    mode http
    log global
    option httplog
    option log-separate-errors
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:{{FE}}
    default_backend be
frontend fe_none
    bind 127.0.0.1:{{FE}}
    default_backend none
backend be
    server s1 127.0.0.1:{{UP}}
backend none
    server s1 127.0.0.1:{{UP}} disabled
`);
    try {
      await t.get(t.ports[0], '/ok');
      await t.log.after(0, 1);
      await t.get(t.ports[1], '/err');
      const lines = await t.log.after(0, 2);
      // local2 = 18: info 18*8+6 = 150, err 18*8+3 = 147
      assert.ok(lines[0].startsWith('<150>') && lines[0].includes('"GET /ok'), lines[0]);
      assert.ok(lines[1].startsWith('<147>') && lines[1].includes('"GET /err'), lines[1]);
    } finally {
      await t.stop();
    }
  },

  async 'log-format'() {
    const t = await runLogged(
      HTTP(
        '    log 127.0.0.1:{{SYSLOG}} local2',
        '    log global',
        '    log-format "%b/%s %ST %{+Q}HM %HP%HQ %tsc %[var(txn.who)] end"\n    http-request set-var(txn.who) str(me)',
      ),
    );
    try {
      await t.get(t.ports[0], '/a?b=1');
      const [line] = await t.log.after(0, 1);
      assert.match(line, /haproxy\[\d+\]: be\/s1 200 "GET" \/a\?b=1 ---- me end\n$/);
    } finally {
      await t.stop();
    }
  },

  async 'log-format-sd'() {
    const t = await runLogged(
      HTTP(
        '    log 127.0.0.1:{{SYSLOG}} format rfc5424 local2',
        '    log global\n    option httplog\n    log-format-sd [exchange\\ status=%{+Q}ST\\ be=%{+Q}b]',
      ),
    );
    try {
      await t.get(t.ports[0], '/a');
      const [line] = await t.log.after(0, 1);
      // the structured data takes the place of the header's second `-`
      assert.match(line, / haproxy \d+ - \[exchange status=200 be="be"\] 127\.0\.0\.1:\d+ /);
    } finally {
      await t.stop();
    }
  },

  async 'unique-id-format'() {
    const seen: string[] = [];
    const t = await runLogged(
      HTTP(
        '    log 127.0.0.1:{{SYSLOG}} local2',
        '    log global\n    log-format "id=%ID"',
        '    unique-id-format %{+X}o\\ %ci:%cp_%rt\n    unique-id-header X-Unique-ID',
      ),
      (req, socket, up) => {
        seen.push(/\r\nx-unique-id: ([^\r]*)/i.exec(req)?.[1] ?? 'none');
        okResponder(req, socket, up);
      },
    );
    try {
      await t.get(t.ports[0], '/a');
      await t.get(t.ports[0], '/b');
      const lines = await t.log.after(0, 2);
      const ids = lines.map((l) => /id=(\S+)\n$/.exec(l)?.[1]);
      assert.match(ids[0] ?? '', /^7F000001:[0-9A-F]{4}_[0-9A-F]{4}$/);
      assert.notEqual(ids[0], ids[1], 'each request has its own id');
      assert.deepEqual(seen, ids, 'unique-id-header carries the logged id to the server');
    } finally {
      await t.stop();
    }
  },

  // the same exchange shows both: the logged %ID is the header the server received
  'unique-id-header': () => LOGGING_EFFECTS['unique-id-format'](),

  async capture() {
    const t = await runLogged(
      HTTP(
        '    log 127.0.0.1:{{SYSLOG}} local2',
        '    log global\n    option httplog',
        '    capture request header Host len 3\n    capture response header Content-Type len 20',
      ),
    );
    try {
      await t.get(t.ports[0], '/a');
      const [line] = await t.log.after(0, 1);
      // httplog prints the captures before the request line: {request} {response}
      assert.match(line, / 0\/0 \{x\} \{[^}]*\} "GET \/a HTTP\/1\.1"\n$/);
    } finally {
      await t.stop();
    }
  },
};

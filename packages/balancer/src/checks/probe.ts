/**
 * One health check against one server: the I/O shell around the pure parts (http-check.ts,
 * tcp-check.ts). Timeouts have HAProxy's documented meaning ("timeout check"): connecting may take
 * `inter`, or min(inter, timeout connect) when `timeout check` is set; once connected, the read
 * timeout is `timeout check` when set, else what remains of `inter`.
 */
import net from 'node:net';
import { connectTls, forgetSession } from '../tls/server-tls.ts';
import type { ServerTlsSpec } from '../tls/tls-spec.ts';
import type { CheckResult } from './check-result.ts';
import type { CheckMethod, TcpCheckRule } from './check-spec.ts';
import { judgeResponse, needsBody, parseHttpResponse } from './http-check.ts';
import { judgeExpect, stepText, TCP_CHECK_PASSED_INFO } from './tcp-check.ts';

export interface ProbeOptions {
  host: string;
  port: number;
  /** a unix socket server */
  path: string | null;
  method: CheckMethod;
  inter: number;
  timeoutCheck: number | null;
  timeoutConnect: number | null;
  /** `check-ssl` (or `ssl` inherited): the check runs over TLS, its handshake is layer 6 */
  tls?: ServerTlsSpec | null;
}

/** glibc's strerror() texts, which HAProxy prints (libuv's messages are worded differently). */
const STRERROR: Record<string, string> = {
  ECONNREFUSED: 'Connection refused',
  ECONNRESET: 'Connection reset by peer',
  ETIMEDOUT: 'Connection timed out',
  EHOSTUNREACH: 'No route to host',
  ENETUNREACH: 'Network is unreachable',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  EADDRINUSE: 'Address already in use',
  EPIPE: 'Broken pipe',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  ENOENT: 'No such file or directory',
  ECONNABORTED: 'Software caused connection abort',
  ENOTSOCK: 'Socket operation on non-socket',
  EMFILE: 'Too many open files',
};

export function strerror(err: NodeJS.ErrnoException): string {
  const s = err.code ? STRERROR[err.code] : undefined;
  if (s) return s;
  const m = err.message.replace(/^\w+ \w+ /, '');
  return m.charAt(0).toUpperCase() + m.slice(1);
}

export interface RunningProbe {
  readonly result: Promise<CheckResult>;
  /** stops the probe (engine stopping); the result then never resolves */
  abort(): void;
}

export function runProbe(o: ProbeOptions): RunningProbe {
  const start = Date.now();
  let sock: net.Socket | null = null;
  let timer: NodeJS.Timeout | null = null;
  let done = false;
  let resolve!: (r: CheckResult) => void;
  const result = new Promise<CheckResult>((r) => {
    resolve = r;
  });
  const method = o.method;
  // tcp-check: the rules, an implicit connect first when the first rule is not one
  const rules: TcpCheckRule[] =
    method.kind === 'tcp-check'
      ? method.rules[0]?.kind === 'connect'
        ? [...method.rules]
        : [{ kind: 'connect', port: null, step: 0 }, ...method.rules]
      : [];
  let ruleIndex = 0;
  let received: Buffer = Buffer.alloc(0);
  let text = '';
  let ended = false;

  const clear = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
  const finish = (r: Omit<CheckResult, 'durationMs'>) => {
    if (done) return;
    done = true;
    clear();
    const s = sock;
    sock = null;
    if (s !== null) {
      // a pure TCP check leaves nothing behind (HAProxy resets too: no TIME_WAIT on either side)
      if (method.kind === 'tcp' && s.readyState === 'open' && !o.tls) s.resetAndDestroy();
      else s.destroy();
    }
    resolve({ ...r, durationMs: Math.max(0, Date.now() - start) });
  };
  const arm = (ms: number, onFire: () => void) => {
    clear();
    timer = setTimeout(onFire, Math.max(0, ms));
  };
  const current = (): TcpCheckRule | null =>
    method.kind === 'tcp-check' ? (rules[ruleIndex] ?? null) : null;
  const where = () => (method.kind === 'tcp-check' ? stepText(current()) : '');

  /** Connects for the rule at `ruleIndex` (the pure TCP and HTTP checks have one implicit connect). */
  const connect = (port: number) => {
    const prev = sock;
    if (prev !== null) prev.destroy();
    received = Buffer.alloc(0);
    text = '';
    ended = false;
    const tlsSpec = o.tls ?? null;
    const s = tlsSpec
      ? connectTls(tlsSpec, { host: o.host, port, path: o.path }, { allowHalfOpen: true, noDelay: true })
      : o.path
        ? net.connect({ path: o.path, allowHalfOpen: true })
        : net.connect({ host: o.host, port, noDelay: true, allowHalfOpen: true });
    sock = s;
    let connected = false;
    // over TLS: the TCP connection is layer 4, the handshake layer 6 (HAProxy's L6OK / L6RSP)
    let tcpConnected = false;
    if (tlsSpec) s.once('connect', () => (tcpConnected = true));
    const connectLimit =
      o.timeoutCheck !== null && o.timeoutConnect !== null ? Math.min(o.inter, o.timeoutConnect) : o.inter;
    arm(connectLimit, () => finish({ status: 'L4TOUT', code: 0, info: where() }));
    s.on(tlsSpec ? 'secureConnect' : 'connect', () => {
      if (s !== sock) return;
      connected = true;
      if (method.kind === 'tcp') {
        finish(tlsSpec ? { status: 'L6OK', code: 0, info: '' } : { status: 'L4OK', code: 0, info: '' });
        return;
      }
      const readLimit = o.timeoutCheck !== null ? o.timeoutCheck : start + o.inter - Date.now();
      if (method.kind === 'http') {
        arm(readLimit, () => finish({ status: 'L7TOUT', code: 0, info: '' }));
        s.write(method.request);
        return;
      }
      arm(readLimit, () => finish({ status: 'L7TOUT', code: 0, info: where() }));
      ruleIndex++;
      advance();
    });
    s.on('data', (d: Buffer) => {
      if (s !== sock) return;
      if (method.kind === 'http') {
        text += d.toString('latin1');
        judgeHttp();
      } else {
        received = received.length === 0 ? d : Buffer.concat([received, d]);
        advance();
      }
    });
    s.on('end', () => {
      if (s !== sock) return;
      ended = true;
      if (method.kind === 'http') judgeHttp();
      else advance();
    });
    s.on('error', (err: NodeJS.ErrnoException) => {
      if (s !== sock) return;
      if (!connected && tcpConnected) {
        if (tlsSpec) forgetSession(tlsSpec);
        finish({ status: 'L6RSP', code: 0, info: `SSL handshake failure${where()}` });
        return;
      }
      if (!connected) {
        finish({ status: 'L4CON', code: 0, info: `${strerror(err)}${where()}` });
        return;
      }
      // data that already arrived decides (a reset right after the last byte is common)
      ended = true;
      if (method.kind === 'http' ? text.length > 0 : received.length > 0) {
        if (method.kind === 'http') judgeHttp();
        else advance();
        if (done) return;
      }
      finish({ status: 'SOCKERR', code: 0, info: `${strerror(err)}${where()}` });
    });
  };

  const judgeHttp = () => {
    if (method.kind !== 'http') return;
    const res = parseHttpResponse(text, ended);
    if (res === null) return;
    if (res === 'invalid') {
      finish({ status: 'L7RSP', code: 0, info: '' });
      return;
    }
    if (res.body === null && needsBody(method.expects)) return;
    const r = judgeResponse(res, method.expects, 0);
    finish({ status: r.status, code: r.code, info: r.info });
  };

  /** Runs tcp-check rules from `ruleIndex` until one waits for the network, fails, or all passed. */
  const advance = () => {
    while (!done) {
      const rule = current();
      if (rule === null) {
        finish({ status: 'L7OK', code: 0, info: TCP_CHECK_PASSED_INFO });
        return;
      }
      if (rule.kind === 'connect') {
        connect(rule.port ?? o.port);
        return;
      }
      if (rule.kind === 'send') {
        received = Buffer.alloc(0);
        sock?.write(rule.data);
        ruleIndex++;
        continue;
      }
      const v = judgeExpect(rule, received, ended);
      if (v === 'wait') return;
      if (v !== 'pass') {
        finish({ status: 'L7RSP', code: 0, info: v.info });
        return;
      }
      ruleIndex++;
    }
  };

  const first = rules[0];
  connect(first?.kind === 'connect' && first.port !== null ? first.port : o.port);
  return {
    result,
    abort() {
      done = true;
      clear();
      sock?.destroy();
      sock = null;
    },
  };
}

/**
 * The stats page as an HTTP answer (HAProxy 2.6's stats applet): a request whose target starts with
 * `stats uri` is answered by the balancer itself — 401 with `WWW-Authenticate: Basic realm="…"` when
 * `stats auth` is configured and the credentials are missing or wrong, else the HTML page, `;csv`
 * or `;json`, with HAProxy's headers (`cache-control: no-cache`, `refresh: N` unless `;norefresh`).
 * Options after the URI as HAProxy reads them: `;up` (hide DOWN servers), `;norefresh`, `;csv`,
 * `;json`, `;st=…` (the result of an admin action), `?scope=NAME`.
 */
import { authChallenge } from '../http/error-pages.ts';
import { csv } from './csv.ts';
import { statsHtml } from './html.ts';
import { statsJson } from './json.ts';
import { ALL_ROWS, type ProxyView, statsRows } from './snapshot.ts';
import type { StatsPageSpec } from './stats-config.ts';

/** What the page shows beyond the proxies: the process. */
export interface StatsEnv {
  proxies: readonly ProxyView[];
  /** an admin form action on servers of the backend with this uuid → HAProxy's result code */
  admin?: (backend: number, servers: readonly string[], action: string) => AdminResult;
  startedAt: number;
  pid: number;
  maxconn: number;
  currentConns(): number;
  node: string;
  version: string;
}

function decodeForm(v: string): string {
  try {
    return decodeURIComponent(v.replace(/\+/g, ' '));
  } catch {
    return v;
  }
}

/** The `st=` codes of HAProxy's admin actions. */
export type AdminResult = 'DONE' | 'PART' | 'NONE' | 'ERRP' | 'DENY';

export interface StatsAnswer {
  status: number;
  response: Buffer;
}

const ST_TEXT: Record<string, string> = {
  DONE: 'Action processed successfully.',
  PART: 'Action partially processed.',
  NONE: 'Nothing has changed.',
  ERRP: 'Action not processed : invalid parameters',
  DENY: 'Action denied.',
  UNKN: 'Unexpected result.',
};

export class StatsPage {
  readonly spec: StatsPageSpec;
  /** the proxy that serves it (`stats scope .` means this one) */
  readonly owner: string;
  private readonly uri: Buffer;
  private readonly credentials: Set<string>;
  private env: StatsEnv | null = null;

  constructor(spec: StatsPageSpec, owner: string) {
    this.spec = spec;
    this.owner = owner;
    this.uri = Buffer.from(spec.uri, 'latin1');
    this.credentials = new Set(
      spec.auth.map((a) => Buffer.from(`${a.user}:${a.password}`).toString('base64')),
    );
  }

  /** The engine gives the page what it shows once it runs. */
  attach(env: StatsEnv): void {
    this.env = env;
  }

  /** Does the request target buf[start, end) start with `stats uri`? (stats_check_uri: a prefix match) */
  matches(buf: Buffer, start: number, end: number): boolean {
    const n = this.uri.length;
    return end - start >= n && buf.compare(this.uri, 0, n, start, start + n) === 0;
  }

  /** Basic credentials as sent (`Authorization` value), checked against every `stats auth` line. */
  authorized(authorization: string | null): boolean {
    if (this.credentials.size === 0) return true;
    if (authorization === null) return false;
    const m = /^Basic[ \t]+(\S+)[ \t]*$/i.exec(authorization);
    return m !== null && this.credentials.has(m[1]);
  }

  /**
   * `stats admin if TRUE|LOCALHOST`: may this client use the admin form? `decided` is the verdict of
   * other conditions, evaluated by the rule engine for this request (null: none).
   */
  adminAllowed(clientAddress: string, decided: boolean | null = null): boolean {
    if (decided !== null) return decided;
    const a = this.spec.admin;
    if (a === 'always') return true;
    if (a !== 'localhost') return false;
    // HAProxy's predefined LOCALHOST ACL: src 127.0.0.1/8 ::1
    const ip = clientAddress.startsWith('::ffff:') ? clientAddress.slice(7) : clientAddress;
    return ip === '::1' || ip.startsWith('127.');
  }

  /**
   * A POST of the admin form (`s=SERVER&…&action=ACTION&b=%23IID`): the action is applied, the answer
   * is HAProxy's 303 to `uri;st=RESULT`.
   */
  post(
    target: string,
    authorization: string | null,
    body: string,
    clientAddress: string,
    close: boolean,
    admin: boolean | null = null,
  ): StatsAnswer {
    if (!this.authorized(authorization)) return this.answer(target, authorization, false, close);
    let st: AdminResult = 'DENY';
    if (this.adminAllowed(clientAddress, admin)) {
      const servers: string[] = [];
      let action = '';
      let backend = Number.NaN;
      for (const kv of body.split('&')) {
        const eq = kv.indexOf('=');
        const k = eq < 0 ? kv : kv.slice(0, eq);
        const v = eq < 0 ? '' : decodeForm(kv.slice(eq + 1));
        if (k === 's') servers.push(v);
        else if (k === 'action') action = v;
        else if (k === 'b') backend = v.startsWith('#') ? Number(v.slice(1)) : Number.NaN;
      }
      st = this.env?.admin?.(backend, servers, action) ?? 'ERRP';
    }
    const conn = close ? 'connection: close\r\n' : '';
    const head = `HTTP/1.1 303 See Other\r\ncache-control: no-cache\r\ncontent-type: text/plain\r\ncontent-length: 0\r\nlocation: ${this.spec.uri};st=${st}\r\n${conn}\r\n`;
    return { status: 303, response: Buffer.from(head, 'latin1') };
  }

  /** The whole answer to a GET/HEAD of `target` (already matched), for a client with `authorization`. */
  answer(
    target: string,
    authorization: string | null,
    isHead: boolean,
    close: boolean,
    clientAddress = '',
    admin: boolean | null = null,
  ): StatsAnswer {
    const conn = close ? 'connection: close\r\n' : '';
    if (!this.authorized(authorization)) {
      return {
        status: 401,
        response: authChallenge(this.spec.realm, undefined, { close, bodyless: isHead }),
      };
    }
    const opts = target.slice(this.spec.uri.length);
    const has = (o: string) => opts.includes(`;${o}`);
    const norefresh = has('norefresh');
    const env = this.env;
    const proxies = env === null ? [] : this.inScope(env.proxies, opts);
    const now = Date.now();
    let type = 'text/html';
    let body: string;
    if (has('csv')) {
      type = 'text/plain';
      body = csv(statsRows(proxies, ALL_ROWS, { legends: this.spec.showLegends }, now));
    } else if (has('json')) {
      type = 'application/json';
      body = statsJson(statsRows(proxies, ALL_ROWS, { legends: this.spec.showLegends }, now));
    } else {
      const st = /;st=([A-Z]+)/.exec(opts)?.[1];
      body = statsHtml(
        proxies,
        {
          uri: this.spec.uri,
          pid: env?.pid ?? process.pid,
          uptimeMs: now - (env?.startedAt ?? now),
          version: this.spec.hideVersion ? null : (env?.version ?? null),
          node: this.spec.showNode === null ? null : this.spec.showNode || (env?.node ?? ''),
          description: this.spec.showDesc,
          refresh: norefresh ? null : this.spec.refresh,
          maxconn: env?.maxconn ?? 0,
          currentConns: env?.currentConns() ?? 0,
          hideDown: has('up'),
          admin: this.adminAllowed(clientAddress, admin),
          notice: st !== undefined ? (ST_TEXT[st] ?? ST_TEXT.UNKN) : null,
        },
        now,
      );
    }
    const refresh =
      this.spec.refresh !== null && !norefresh ? `refresh: ${Math.floor(this.spec.refresh / 1000)}\r\n` : '';
    const bytes = Buffer.from(body, 'latin1');
    const head = `HTTP/1.1 200 OK\r\ncache-control: no-cache\r\ncontent-type: ${type}\r\n${refresh}transfer-encoding: chunked\r\n${conn}\r\n`;
    if (isHead) return { status: 200, response: Buffer.from(head, 'latin1') };
    const chunk = `${bytes.length.toString(16).toUpperCase()}\r\n`;
    return {
      status: 200,
      response: Buffer.concat([
        Buffer.from(head + chunk, 'latin1'),
        bytes,
        Buffer.from('\r\n0\r\n\r\n', 'latin1'),
      ]),
    };
  }

  /** `stats scope` lines (and a `scope=` query parameter): only these proxies. */
  private inScope(all: readonly ProxyView[], opts: string): readonly ProxyView[] {
    const scopes = this.spec.scope.map((s) => (s === '.' ? this.owner : s));
    const q = /[?&;]scope=([^&;]*)/.exec(opts)?.[1];
    let out = scopes.length > 0 ? all.filter((p) => scopes.includes(p.name)) : all;
    if (q !== undefined && q !== '') out = out.filter((p) => p.name.includes(decodeURIComponent(q)));
    return out;
  }
}

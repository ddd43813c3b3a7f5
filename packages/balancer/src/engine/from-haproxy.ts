import { readFileSync } from 'node:fs';
import type { HaproxyConfig, Proxy as ModelProxy, Server as ModelServer } from '@ha-lb/shared-config/haproxy';
import { Userlist } from '../auth/userlist.ts';
import { cookieSpecOf, redispatchOf, serverCookieOf } from '../backend/persistence/cookie-config.ts';
import { retryOnOf } from '../backend/retry-on.ts';
import { backendChecks, checkGlobals, serverCheck } from '../checks/from-model.ts';
import { checkContext } from '../config/checks/context.ts';
import { resolvedKey } from '../config/checks/server-addresses.ts';
import { LB_ERR, LbError, LineError } from '../errors.ts';
import { compileProxyFormat, proxyLogSpec } from '../log/log-config.ts';
import { compileProxyRules } from '../rules/rule-set.ts';
import { compileTcpContent, compileTcpResponse } from '../rules/tcp-content.ts';
import { compileTcpRules } from '../rules/tcp-rules.ts';
import { proxyOrderOf, statsPageOf, statsSocketsOf } from '../stats/stats-config.ts';
import { bindTlsOf, http1Only, serverTlsOf, type TlsModelContext } from '../tls/from-model.ts';
import type {
  BackendSpec,
  BindAddress,
  BindSpec,
  EngineConfig,
  FrontendSpec,
  HttpOptions,
  ServerSpec,
  Timeouts,
} from './engine-config.ts';

type Address = BindAddress;

function timeouts(t: ModelProxy['timeouts']): Timeouts {
  return {
    client: t.client ?? null,
    server: t.server ?? null,
    connect: t.connect ?? null,
    httpRequest: t.httpRequest ?? null,
    httpKeepAlive: t.httpKeepAlive ?? null,
    tunnel: t.tunnel ?? null,
    clientFin: t.clientFin ?? null,
    serverFin: t.serverFin ?? null,
    queue: t.queue ?? null,
  };
}

function options(p: ModelProxy): HttpOptions {
  return {
    httpServerClose: p.options.httpServerClose === true,
    httpClose: p.options.httpclose === true,
    disableH2Upgrade: p.options.disableH2Upgrade === true,
  };
}

export function addressText(a: Address): string {
  if (a.kind === 'unix') return `unix@${a.path}`;
  if (a.kind === 'fd') return `fd@${a.fd}`;
  const host = a.host === '' ? '*' : a.family === 6 ? `[${a.host}]` : a.host;
  return a.portMin === a.portMax ? `${host}:${a.portMin}` : `${host}:${a.portMin}-${a.portMax}`;
}

function errorfiles(p: ModelProxy): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  for (const [code, path] of Object.entries(p.errorfiles ?? {})) {
    try {
      out.set(Number(code), readFileSync(path));
    } catch (err) {
      throw new LbError(
        LB_ERR.ERRORFILE,
        `proxy '${p.name}': errorfile ${code} '${path}': ${(err as Error).message}`,
        { cause: err },
      );
    }
  }
  return out;
}

function server(
  s: ModelServer,
  proxy: string,
  tlsCtx: TlsModelContext,
  resolved?: ReadonlyMap<string, string>,
): ServerSpec {
  const a = s.address as Address;
  // a name is connected to by the address it resolved to at load time (HAProxy's srv_init_addr)
  const host =
    s.address.kind !== 'inet'
      ? ''
      : s.address.hostname
        ? (resolved?.get(resolvedKey(s.address.host, s.address.family)) ?? s.address.host)
        : s.address.host;
  if (a.kind === 'fd')
    throw new LbError(LB_ERR.CONFIG, `backend '${proxy}': server '${s.name}' cannot use fd@`);
  if (s.portOffset !== null)
    // Connecting to port 0 (or a wrong port) would be a silent misbehaviour: refuse until it is built.
    throw new LbError(
      LB_ERR.CONFIG,
      `backend '${proxy}': server '${s.name}' has no port or a port offset (+N/-N), which is not supported yet; write an explicit port (e.g. 'server ${s.name} ${a.kind === 'inet' && a.family === 6 ? `[${a.host}]` : a.kind === 'inet' ? a.host : ''}:80')`,
    );
  if (a.kind === 'inet' && (a.host === '' || a.host === '0.0.0.0' || a.host === '::'))
    // HAProxy connects such a server to the address the client connected to; connecting to 0.0.0.0
    // (this host) instead would send traffic somewhere else without a word: refuse until it is built.
    throw new LbError(
      LB_ERR.CONFIG,
      `backend '${proxy}': server '${s.name}' has the address '${a.host || '*'}' (the client's destination), which is not supported yet; write the server's address`,
    );
  return {
    name: s.name,
    host,
    ...(s.address.kind === 'inet' && s.address.hostname ? { fqdn: s.address.host } : {}),
    port: a.kind === 'inet' ? a.portMin : 0,
    path: a.kind === 'unix' ? a.path : null,
    weight: s.weight ?? 1,
    maxconn: s.maxconn ?? null,
    minconn: s.minconn ?? null,
    maxqueue: s.maxqueue ?? null,
    ...(s.slowstart > 0 ? { slowstart: s.slowstart } : {}),
    disabled: s.disabled === true,
    backup: s.backup === true,
    check: serverCheck(s, proxy),
    ...(s.id != null ? { id: s.id } : {}),
    ...tlsOfServer(s, proxy, tlsCtx),
    ...(serverSpeaksH2(s) ? { proto: 'h2' as const } : {}),
  };
}

/** `proto h2`, or TLS with an ALPN list offering h2 (the server is expected to choose it). */
function serverSpeaksH2(s: ModelServer): boolean {
  if (s.other.proto === 'h2') return true;
  return s.ssl === true && typeof s.other.alpn === 'string' && s.other.alpn.split(',').includes('h2');
}

/**
 * `ssl` (traffic) and `check-ssl` (checks; also implied by `ssl` when the check goes to the same
 * address and port, as HAProxy's checks inherit the server's transport).
 */
function tlsOfServer(
  s: ModelServer,
  proxy: string,
  ctx: TlsModelContext,
): Pick<ServerSpec, 'tls' | 'checkTls'> {
  const spec = serverTlsOf(s, proxy, ctx);
  if (spec === null) return {};
  const inherits = s.ssl && s.port === null && s.addr === null;
  // the checks speak HTTP/1.1: they do not offer h2 (tls/from-model.ts http1Only)
  const check = spec.alpn?.includes('h2') ? { ...spec, alpn: http1Only(spec.alpn.join(',')) } : spec;
  return { tls: s.ssl ? spec : null, checkTls: s.checkSsl || inherits ? check : null };
}

/** HAProxy's automatic server ids: explicit `id`s stay, the others take the lowest free numbers in order. */
function withServerIds(servers: ServerSpec[]): ServerSpec[] {
  const used = new Set(servers.map((s) => s.id).filter((id) => id !== undefined));
  let next = 1;
  for (const s of servers) {
    if (s.id !== undefined) continue;
    while (used.has(next)) next++;
    s.id = next++;
  }
  return servers;
}

/**
 * HAProxy (cfgparse.c): a backend without `fullconn` gets 10% of the sum of the maxconn of the frontends
 * that send to it (default_backend, or a use_backend naming it), at least 1.
 */
function defaultFullconn(
  backends: Map<string, BackendSpec>,
  frontends: FrontendSpec[],
  globalMaxconn: number | null,
): void {
  // One pass over the frontends, not one per backend: generated configurations have 100 000 of each.
  const sent = new Map<string, number>();
  for (const fe of frontends) {
    const conn = fe.maxconn ?? globalMaxconn ?? 0;
    const targets = new Set<string>();
    if (fe.defaultBackend !== null) targets.add(fe.defaultBackend);
    for (const u of fe.rules?.useBackends ?? []) if (typeof u.name === 'string') targets.add(u.name);
    for (const t of targets) sent.set(t, (sent.get(t) ?? 0) + conn);
  }
  for (const be of backends.values()) {
    if (be.fullconn) continue;
    be.fullconn = Math.max(1, Math.trunc(((sent.get(be.name) ?? 0) + 9) / 10));
  }
}

/**
 * `cwd`: where relative file names in rules and certificates resolve (pattern and map files, crt);
 * `rules: false` checks the rules as haproxy -c does but leaves out what we do not implement (the
 * `-c` run that compares with HAProxy: that is not HAProxy's finding); `bindText`: the bind line's text, for TLS messages.
 */
export function fromHaproxyConfig(
  model: HaproxyConfig,
  opts: {
    cwd?: string;
    bindText?: TlsModelContext['bindText'];
    rules?: boolean;
    /** server names resolved while loading (config/checks/server-addresses.ts) */
    resolved?: ReadonlyMap<string, string>;
  } = {},
): EngineConfig {
  const tlsCtx: TlsModelContext = { model, cwd: opts.cwd ?? process.cwd(), bindText: opts.bindText };
  const backends = new Map<string, BackendSpec>();
  const frontends: FrontendSpec[] = [];
  const modes = new Map(
    model.proxies
      .filter((p) => p.capabilities.backend)
      .map((p) => [p.name, p.mode === 'tcp' ? 'tcp' : 'http'] as const),
  );
  // userlists are built only when a rule is compiled against them (a hash scheme the balancer cannot
  // verify is refused there, naming the userlist)
  const userlists = new Map<string, Userlist>();
  const ruleFiles = {
    ...checkContext(model, [], opts.cwd ?? process.cwd()),
    modeOf: (name: string) => modes.get(name) ?? null,
    userlist: (name: string) => {
      let ul = userlists.get(name);
      if (ul === undefined) {
        const m = model.userlists.find((u) => u.name === name);
        if (m === undefined) return null;
        ul = new Userlist(m);
        userlists.set(name, ul);
      }
      return ul;
    },
  };
  for (const p of model.proxies) {
    if (p.disabled) continue;
    const mode = p.mode === 'tcp' ? 'tcp' : 'http';
    const files = errorfiles(p);
    const logEnv = { loadMap: (path: string) => readFileSync(ruleFiles.resolve(path, p.file), 'latin1') };
    // `rules: false` (what haproxy -c finds): the rules' arguments are still checked, leaving out
    // what is not implemented (in-effect.ts reports that)
    const rules =
      mode === 'http'
        ? compileProxyRules(
            p,
            ruleFiles,
            files,
            model.global.unsafeIgnoreUnimplemented === true,
            opts.rules === false,
          )
        : null;
    if (p.capabilities.backend) {
      // use-server is evaluated on the HTTP request path only (rules/http-rules.ts)
      if (mode === 'tcp' && p.useServers.length > 0 && opts.rules !== false)
        throw new LineError(
          LB_ERR.CONFIG,
          p.useServers[0].file,
          p.useServers[0].line,
          `'use-server' in a 'mode tcp' backend is not implemented yet (only in mode http); it decides where traffic goes, so the balancer does not start with it. Remove it, or route with 'use_backend' from a 'tcp-request content' rule instead.`,
          { abort: true },
        );
      const cookie = cookieSpecOf(p);
      backends.set(p.name, {
        name: p.name,
        mode,
        tcpRequest:
          opts.rules === false || mode !== 'tcp' || p.capabilities.frontend
            ? null
            : compileTcpContent(
                p,
                (path) => readFileSync(ruleFiles.resolve(path, p.file), 'latin1'),
                model.global.unsafeIgnoreUnimplemented === true,
                ruleFiles.modeOf,
              ),
        tcpResponse:
          opts.rules === false
            ? null
            : compileTcpResponse(
                p,
                (path) => readFileSync(ruleFiles.resolve(path, p.file), 'latin1'),
                model.global.unsafeIgnoreUnimplemented === true,
              ),
        servers: withServerIds(
          p.servers.map((s) => {
            const spec = server(s, p.name, tlsCtx, opts.resolved);
            spec.cookie = serverCookieOf(p, cookie, s.cookie, spec.host, spec.port);
            return spec;
          }),
        ),
        timeouts: timeouts(p.timeouts),
        retries: p.retries ?? 3,
        httpReuse: p.httpReuse ?? 'safe',
        options: options(p),
        forwardfor: p.options.forwardfor,
        // HAProxy: a layer-7 hash in mode tcp falls back to roundrobin (warned at -c)
        balance:
          mode === 'tcp' && ['uri', 'url_param', 'hdr'].includes(p.balance?.algorithm ?? '')
            ? { algorithm: 'roundrobin' }
            : p.balance,
        hashType: {
          method: p.hashType.method,
          function: p.hashType.function,
          avalanche: p.hashType.modifier === 'avalanche',
        },
        allBackups: p.options.allbackups === true,
        dispatch: p.dispatch,
        errorfiles: files,
        cookie,
        persist: p.options.persist === true,
        redispatch: redispatchOf(p),
        fullconn: p.fullconn || null,
        retryOn: retryOnOf(p.retryOn),
        checks: backendChecks(p),
        rules,
        log: proxyLogSpec(model, p, logEnv),
      });
    }
    if (p.capabilities.frontend) {
      const binds: BindSpec[] = p.binds.map((b) => ({
        address: b.address as Address,
        text: addressText(b.address as Address),
        file: b.file,
        line: b.line,
        maxconn: typeof b.options.maxconn === 'number' ? b.options.maxconn : null,
        backlog: typeof b.options.backlog === 'number' ? b.options.backlog : p.backlog,
        v6only: b.options.v6only === true ? true : b.options.v4v6 === true ? false : undefined,
        tls: bindTlsOf(b, p.name, p.kind, addressText(b.address as Address), tlsCtx),
        proto: b.options.proto === 'h2' ? ('h2' as const) : null,
      }));
      frontends.push({
        name: p.name,
        mode,
        binds,
        maxconn: p.maxconn,
        timeouts: timeouts(p.timeouts),
        options: options(p),
        forwardfor: p.options.forwardfor ?? null,
        defaultBackend: p.defaultBackend ?? (p.capabilities.backend ? p.name : null),
        errorfiles: files,
        monitorUri: p.monitorUri,
        uniqueId:
          p.uniqueIdFormat === null || p.uniqueIdFormat === ''
            ? null
            : {
                format: compileProxyFormat(
                  p.uniqueIdFormat,
                  { file: p.file, line: p.line },
                  logEnv,
                  'unique-id-format',
                ),
                header: p.uniqueIdHeader,
              },
        rules,
        tcpRules:
          opts.rules === false
            ? null
            : compileTcpRules(
                p,
                (path) => readFileSync(ruleFiles.resolve(path, p.file), 'latin1'),
                model.global.unsafeIgnoreUnimplemented === true,
              ),
        tcpContent:
          opts.rules === false || mode !== 'tcp'
            ? null
            : compileTcpContent(
                p,
                (path) => readFileSync(ruleFiles.resolve(path, p.file), 'latin1'),
                model.global.unsafeIgnoreUnimplemented === true,
                ruleFiles.modeOf,
              ),
        log: proxyLogSpec(model, p, logEnv),
      });
    }
  }
  defaultFullconn(backends, frontends, model.global.maxconn);
  return {
    global: {
      maxconn: model.global.maxconn,
      pidfile: model.global.pidfile ?? null,
      chroot: model.global.chroot,
      daemon: model.global.daemon,
      masterWorker: model.global.masterWorker,
      healthSocket: model.global.healthSocket,
      tuneBufsize: model.global.tuneBufsize,
      tuneMaxrewrite: Math.min(model.global.tuneMaxrewrite, model.global.tuneBufsize / 2),
      maxHeaders: model.global.tuneHttpMaxhdr,
      h2: {
        maxConcurrentStreams: model.global.tuneH2MaxConcurrentStreams,
        initialWindowSize: model.global.tuneH2InitialWindowSize,
        headerTableSize: model.global.tuneH2HeaderTableSize,
      },
      hardStopAfter: model.global.hardStopAfter,
      checks: checkGlobals(model),
      statsSockets: statsSocketsOf(model),
      statsTimeout: model.global.statsTimeout,
      nbthread: model.global.nbthread ?? 1,
      cpuMap: model.global.cpuMap,
      user: model.global.user,
      group: model.global.group,
      uid: model.global.uid,
      gid: model.global.gid,
    },
    frontends,
    backends,
    proxies: proxyOrderOf(model),
    statsPages: new Map(
      model.proxies.flatMap((p) => {
        const page = p.disabled ? null : statsPageOf(p);
        return page ? [[p.name, page] as const] : [];
      }),
    ),
  };
}

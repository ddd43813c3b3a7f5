import { readFileSync } from 'node:fs';
import { LB_ERR, LbError } from '../errors.ts';
import {
  type BackendSpec,
  type BindAddress,
  type BindSpec,
  DEFAULT_TUNE,
  type EngineConfig,
  type ForwardFor,
  type FrontendSpec,
  type HttpOptions,
  type ServerSpec,
  type Timeouts,
} from './engine-config.ts';

// The subset of contract A's HaproxyConfig the engine reads. Kept structural so the adapter keeps
// compiling while the model grows.
type Address = BindAddress;
interface ModelBind {
  address: Address;
  options?: Record<string, string | boolean | number>;
  file: string;
  line: number;
  text?: string;
}
interface ModelServer {
  name: string;
  address: Address;
  weight?: number;
  maxconn?: number | null;
  backup?: boolean;
  disabled?: boolean;
}
interface ModelProxy {
  name: string;
  kind: 'frontend' | 'backend' | 'listen';
  capabilities: { frontend: boolean; backend: boolean };
  mode: 'http' | 'tcp' | 'health';
  maxconn: number | null;
  binds: ModelBind[];
  timeouts: Partial<Timeouts>;
  options: {
    httpServerClose?: boolean;
    httpClose?: boolean;
    httpKeepAlive?: boolean;
    forwardfor?: ForwardFor | null;
  };
  httpReuse?: 'never' | 'safe' | 'aggressive' | 'always';
  retries?: number;
  defaultBackend: string | null;
  errorfiles?: Record<number, string>;
  balance?: { algorithm: string; args: string[] };
  servers: ModelServer[];
}
export interface HaproxyModelLike {
  global: {
    maxconn: number | null;
    pidfile?: string | null;
    healthSocket?: { path: string; mode: number } | null;
    tuneBufsize?: number;
    tuneMaxrewrite?: number;
    tuneHttpMaxhdr?: number;
  };
  proxies: ModelProxy[];
}

function timeouts(t: Partial<Timeouts>): Timeouts {
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
    httpClose: p.options.httpClose === true,
    httpKeepAlive: p.options.httpKeepAlive === true,
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

function server(s: ModelServer, proxy: string): ServerSpec {
  const a = s.address;
  if (a.kind === 'fd')
    throw new LbError(LB_ERR.CONFIG, `backend '${proxy}': server '${s.name}' cannot use fd@`);
  return {
    name: s.name,
    host: a.kind === 'inet' ? a.host || '127.0.0.1' : '',
    port: a.kind === 'inet' ? a.portMin : 0,
    path: a.kind === 'unix' ? a.path : null,
    weight: s.weight ?? 1,
    maxconn: s.maxconn ?? null,
    disabled: s.disabled === true,
    backup: s.backup === true,
  };
}

export function fromHaproxyConfig(model: HaproxyModelLike): EngineConfig {
  const backends = new Map<string, BackendSpec>();
  const frontends: FrontendSpec[] = [];
  for (const p of model.proxies) {
    const mode = p.mode === 'tcp' ? 'tcp' : 'http';
    const files = errorfiles(p);
    if (p.capabilities.backend) {
      backends.set(p.name, {
        name: p.name,
        mode,
        servers: p.servers.map((s) => server(s, p.name)),
        timeouts: timeouts(p.timeouts),
        retries: p.retries ?? 3,
        httpReuse: p.httpReuse ?? 'safe',
        options: options(p),
        forwardfor: p.options.forwardfor ?? null,
        balance: p.balance ?? { algorithm: 'roundrobin', args: [] },
        errorfiles: files,
      });
    }
    if (p.capabilities.frontend) {
      const binds: BindSpec[] = p.binds.map((b) => ({
        address: b.address,
        text: b.text ?? addressText(b.address),
        file: b.file,
        line: b.line,
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
      });
    }
  }
  return {
    global: {
      maxconn: model.global.maxconn,
      pidfile: model.global.pidfile ?? null,
      healthSocket: model.global.healthSocket ?? null,
      tuneBufsize: model.global.tuneBufsize ?? DEFAULT_TUNE.tuneBufsize,
      tuneMaxrewrite: model.global.tuneMaxrewrite ?? DEFAULT_TUNE.tuneMaxrewrite,
      maxHeaders: model.global.tuneHttpMaxhdr ?? DEFAULT_TUNE.maxHeaders,
    },
    frontends,
    backends,
  };
}

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type BackendSpec,
  DEFAULT_TUNE,
  type EngineConfig,
  type FrontendSpec,
  type Timeouts,
} from './engine/engine-config.ts';

/**
 * The built-in configuration used when no `-f` is given: the equivalent of
 *
 *   defaults
 *     mode http
 *     option forwardfor
 *     timeout connect 5s / client 30s / server 30s / http-request 10s / http-keep-alive 10s
 *   frontend demo
 *     bind 127.0.0.1:8080
 *     default_backend demo
 *   backend demo
 *     balance roundrobin
 *     server demo1 127.0.0.1:8081
 *     server demo2 127.0.0.1:8082
 *
 * plus two tiny demo web servers on 8081/8082 started by the CLI, so `bash scripts/run.sh` works out of
 * the box. Ports move together with BALANCER_DEMO_PORT (frontend port; servers are +1 and +2).
 */
export const DEFAULT_CONFIG_TEXT = `defaults
    mode http
    option forwardfor
    timeout connect 5s
    timeout client 30s
    timeout server 30s
    timeout http-request 10s
    timeout http-keep-alive 10s

frontend demo
    bind 127.0.0.1:%FE%
    default_backend demo

backend demo
    balance roundrobin
    server demo1 127.0.0.1:%S1%
    server demo2 127.0.0.1:%S2%
`;

const DEMO_TIMEOUTS: Timeouts = {
  client: 30_000,
  server: 30_000,
  connect: 5_000,
  httpRequest: 10_000,
  httpKeepAlive: 10_000,
  tunnel: null,
  clientFin: null,
  serverFin: null,
  queue: null,
};

export function defaultEngineConfig(frontendPort: number, serverPorts: [number, number]): EngineConfig {
  const options = { httpServerClose: false, httpClose: false, httpKeepAlive: false };
  const forwardfor = { except: null, header: 'X-Forwarded-For', ifNone: false };
  const frontend: FrontendSpec = {
    name: 'demo',
    mode: 'http',
    binds: [
      {
        address: { kind: 'inet', family: 4, host: '127.0.0.1', portMin: frontendPort, portMax: frontendPort },
        text: `127.0.0.1:${frontendPort}`,
        file: '<built-in>',
        line: 12,
      },
    ],
    maxconn: null,
    timeouts: DEMO_TIMEOUTS,
    options,
    forwardfor,
    defaultBackend: 'demo',
    errorfiles: new Map(),
  };
  const backend: BackendSpec = {
    name: 'demo',
    mode: 'http',
    servers: serverPorts.map((port, i) => ({
      name: `demo${i + 1}`,
      host: '127.0.0.1',
      port,
      path: null,
      weight: 1,
      maxconn: null,
      disabled: false,
      backup: false,
    })),
    timeouts: DEMO_TIMEOUTS,
    retries: 3,
    httpReuse: 'safe',
    options,
    forwardfor,
    balance: { algorithm: 'roundrobin', args: [] },
    errorfiles: new Map(),
  };
  return {
    global: { maxconn: null, pidfile: null, healthSocket: null, ...DEFAULT_TUNE },
    frontends: [frontend],
    backends: new Map([[backend.name, backend]]),
  };
}

export function defaultConfigText(frontendPort: number, serverPorts: [number, number]): string {
  return DEFAULT_CONFIG_TEXT.replace('%FE%', String(frontendPort))
    .replace('%S1%', String(serverPorts[0]))
    .replace('%S2%', String(serverPorts[1]));
}

/**
 * A demo web server that says which server answered. node:http is fine here: it is not the data path,
 * just something to balance across.
 */
export function startDemoServer(name: string, port: number, host = '127.0.0.1'): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const body = `Hello from ${name} (${host}:${port}) — you asked for ${req.method} ${req.url}, X-Forwarded-For: ${req.headers['x-forwarded-for'] ?? '-'}\n`;
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'x-served-by': name });
    res.end(body);
  });
  server.keepAliveTimeout = 30_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

export function demoServerPort(server: http.Server): number {
  return (server.address() as AddressInfo).port;
}

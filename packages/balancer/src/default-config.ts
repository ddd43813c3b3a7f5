import type http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * node:http without its ES-module facade: `import http from 'node:http'` reads every export, and the
 * lazy ones (WebSocket, MessageEvent…) load Node's bundled undici, tens of ms of every start-up.
 */
const { createServer } = process.getBuiltinModule('node:http');

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
 * the box. Ports move together with BALANCER_DEMO_PORT (frontend port; servers are +1 and +2). The text
 * goes through the same loader as a file (as `<built-in demo>`), so what runs is what it says.
 */
export const DEMO_SOURCE_NAME = '<built-in demo>';

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
  const server = createServer((req, res) => {
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

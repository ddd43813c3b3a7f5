// The web nodes' server (run inside web1/web2): answers every request with which node served it and
// which front node the connection came from — `web1 via 10.18.216.115` — so a client sees both the
// web node and the front node (balancer) its request went through.
//   node web-node.ts NAME [PORT]
import { createServer } from 'node:http';

const [name = 'web', port = '80'] = process.argv.slice(2);
const server = createServer((req, res) => {
  const via = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  const body = `${name} via ${via}\n`;
  res.writeHead(200, {
    'content-type': 'text/plain',
    'content-length': Buffer.byteLength(body),
    'x-served-by': name,
  });
  res.end(body);
});
server.keepAliveTimeout = 5000;
server.listen(Number(port), () => process.stdout.write(`${name} listening on :${port}\n`));
for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => process.exit(0));

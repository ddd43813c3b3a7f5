import net from 'node:net';

/** One command on HAProxy's stats socket (a UNIX socket path); resolves with its whole answer. */
export function statsCommand(path: string, cmd: string): Promise<string> {
  return new Promise((ok, ko) => {
    const s = net.connect(path);
    let out = '';
    s.on('data', (d) => {
      out += d;
    });
    s.on('end', () => ok(out));
    s.on('error', ko);
    s.write(`${cmd}\n`);
  });
}

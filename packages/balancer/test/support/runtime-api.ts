import net from 'node:net';

/** One runtime API line on the UNIX socket `path` (`echo LINE | socat - PATH`); the whole answer. */
export function runtimeLine(path: string, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(path);
    let out = '';
    s.on('error', reject);
    s.on('connect', () => s.end(`${line}\n`));
    s.on('data', (d) => (out += d));
    s.on('close', () => resolve(out));
  });
}

/**
 * A loopback port whose SYNs go unanswered: a listener that never accepts, its queue filled (connect
 * timeouts on loopback). Node accepts eagerly, so the listener is a small Python process.
 */
import { spawn } from 'node:child_process';

export interface Blackhole {
  port: number;
  close(): Promise<void>;
}

/** On `port` (0: the kernel picks); rejects when python3 is missing or the port is taken. */
export async function startBlackhole(port = 0): Promise<Blackhole> {
  const script =
    'import socket,sys,time\ns=socket.socket();s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\n' +
    `s.bind(("127.0.0.1",${port}));s.listen(0)\np=s.getsockname()[1]\nfill=[]\n` +
    'for _ in range(3):\n  c=socket.socket();c.setblocking(False);c.connect_ex(("127.0.0.1",p));fill.append(c)\n' +
    'print(p,flush=True)\ntime.sleep(120)\n';
  const child = spawn('python3', ['-c', script], { stdio: ['ignore', 'pipe', 'ignore'] });
  const killed = () => child.kill('SIGKILL');
  process.once('exit', killed);
  const bound = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (/\d+\n/.test(out)) resolve(Number(out.trim()));
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`blackhole on port ${port} exited (${code})`)));
  });
  return {
    port: bound,
    async close() {
      process.off('exit', killed);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await gone;
    },
  };
}

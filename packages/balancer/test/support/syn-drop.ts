/**
 * A loopback port whose SYNs go unanswered, made with an nftables rule (root): the port's listener
 * stays as it is, so switching a server to "blackhole" and back leaves no moment where the port is
 * closed (a check would see "Connection refused" instead of a timeout). Each drop is its own table,
 * removed by `close()` and on process exit.
 */
import { execFileSync } from 'node:child_process';

export interface SynDrop {
  readonly port: number;
  close(): void;
}

let seq = 0;

function nft(script: string): void {
  execFileSync('nft', ['-f', '-'], { input: script, stdio: ['pipe', 'ignore', 'pipe'] });
}

/** True when this process may add nftables rules (root with nft installed). */
export function canDropSyns(): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('nft', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Drops new connections' SYNs to 127.0.0.1:`port` until closed. Throws when nft refuses. */
export function dropSyns(port: number): SynDrop {
  const table = `halb_test_syn_${process.pid}_${++seq}`;
  nft(
    `table ip ${table} {\n  chain input {\n    type filter hook input priority -10; policy accept;\n` +
      `    ip daddr 127.0.0.1 tcp dport ${port} tcp flags & (syn | ack) == syn drop\n  }\n}\n`,
  );
  let open = true;
  const remove = () => {
    if (!open) return;
    open = false;
    try {
      nft(`delete table ip ${table}\n`);
    } catch {
      // already gone
    }
  };
  process.once('exit', remove);
  return {
    port,
    close() {
      process.off('exit', remove);
      remove();
    },
  };
}

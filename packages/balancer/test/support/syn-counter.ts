/**
 * Counts the connection attempts (TCP SYNs) sent to a loopback port, with an nftables counter: how a
 * test shows that "retries N" made 1 + N attempts. Root and nft only; the table goes when the test
 * process exits, or earlier with remove().
 */
import { spawnSync } from 'node:child_process';

export interface SynCounter {
  /** SYNs sent to the port since the counter was made */
  count(): number;
  remove(): void;
}

const tables = new Set<string>();
let hooked = false;
const nft = (script: string) => spawnSync('nft', ['-f', '-'], { input: script, encoding: 'utf8' });

/** A counter for SYNs to 127.0.0.1:port (any local address), or null when not root or nft fails. */
export function synCounter(port: number): SynCounter | null {
  if (process.getuid?.() !== 0) return null;
  const table = `lbtest_syn_${process.pid}_${port}`;
  const r = nft(
    `table inet ${table} {\n counter syns {}\n chain out {\n  type filter hook output priority 0;\n  tcp dport ${port} tcp flags & (syn|ack) == syn counter name syns\n }\n}\n`,
  );
  if (r.status !== 0) return null;
  if (!hooked) {
    hooked = true;
    process.once('exit', () => {
      for (const t of [...tables]) drop(t);
    });
  }
  tables.add(table);
  return {
    count() {
      const out = spawnSync('nft', ['list', 'counter', 'inet', table, 'syns'], { encoding: 'utf8' }).stdout;
      return Number(/packets (\d+)/.exec(out)?.[1] ?? -1);
    },
    remove: () => drop(table),
  };
}

function drop(table: string): void {
  if (!tables.delete(table)) return;
  nft(`delete table inet ${table}\n`);
}

// A packet capture of a scenario, to tell its failed requests apart (issue 14): with ITG_CAPTURE=DIR
// in the environment, dumpcap records TCP port 80 on the client's cable and on both front nodes' for
// the whole measurement; afterwards each failed request's connection (its client port) is printed
// packet by packet — time from the event, which node sent it or was sent it (by MAC), flags, length —
// seen from the client and from each front node. Off (nothing started) without ITG_CAPTURE.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Proc } from '../../../packages/ha-agent/test/support/netns.ts';
import { waitFor } from '../../../packages/ha-agent/test/support/wait-for.ts';
import { LAB } from './seed-configs.ts';
import type { NodeName, Topology } from './topology.ts';

const WHERE: readonly NodeName[] = ['client', 'ha-master', 'ha-slave'];

export interface Capture {
  /** stops the captures; one text block per failed connection (client port) */
  explain(ports: readonly (number | null | undefined)[], t0: number): Promise<string[]>;
}

function mac(topo: Topology, node: NodeName): string {
  const out = execFileSync('ip', ['-n', topo.nodes[node].ns, '-br', 'link', 'show', LAB.ifname], {
    encoding: 'utf8',
  });
  return out.trim().split(/\s+/)[2];
}

export async function startCapture(topo: Topology, tag: string): Promise<Capture | null> {
  const dir = process.env.ITG_CAPTURE;
  if (!dir) return null;
  mkdirSync(dir, { recursive: true });
  const names = new Map<string, string>(
    (['client', 'ha-master', 'ha-slave', 'web1', 'web2'] as const).map((n) => [mac(topo, n), n]),
  );
  const files = new Map<NodeName, string>();
  const procs: Proc[] = [];
  for (const node of WHERE) {
    const file = join(dir, `${tag}-${node}.pcapng`);
    files.set(node, file);
    procs.push(topo.spawn(node, 'dumpcap', ['-q', '-i', LAB.ifname, '-f', 'tcp port 80', '-w', file]));
  }
  // dumpcap says "File: …" on stderr once it captures
  await waitFor(() => procs.every((p) => /File:/.test(p.output())), 10_000, 'dumpcap capturing', 20);
  return {
    async explain(ports, t0) {
      await new Promise((r) => setTimeout(r, 200));
      for (const p of procs) p.kill('SIGINT');
      await Promise.all(procs.map((p) => p.exited));
      const out: string[] = [];
      for (const port of ports) {
        if (!port) continue;
        const lines: string[] = [`client port ${port}:`];
        for (const [node, file] of files) {
          const text = execFileSync(
            'tshark',
            [
              '-r',
              file,
              '-Y',
              `tcp.port == ${port}`,
              '-T',
              'fields',
              '-E',
              'separator=|',
              '-e',
              'frame.time_epoch',
              '-e',
              'eth.src',
              '-e',
              'eth.dst',
              '-e',
              'ip.src',
              '-e',
              'ip.dst',
              '-e',
              'tcp.srcport',
              '-e',
              'tcp.dstport',
              '-e',
              'tcp.flags.str',
              '-e',
              'tcp.len',
            ],
            { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
          );
          for (const l of text.trim().split('\n').filter(Boolean)) {
            const [t, es, ed, s, d, sp, dp, flags, len] = l.split('|');
            const ms = (Number(t) * 1000 - t0).toFixed(1).padStart(7);
            lines.push(
              `  [${node.padEnd(9)}] ${ms} ms ${names.get(es) ?? es}→${names.get(ed) ?? ed} ${s}:${sp} → ${d}:${dp} ${flags.replace(/·/g, '')} len ${len}`,
            );
          }
        }
        out.push(lines.join('\n'));
      }
      return out;
    },
  };
}

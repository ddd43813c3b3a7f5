// The lab every namespace test file sets up the same way: one lab for the describe block, every process
// it starts killed and the namespaces deleted afterwards, and the processes' last output for a failure.
import { after, before } from 'node:test';
import { createLab, hasAddress, type Lab, type Proc, startAgent, stopProc } from './netns.ts';

export interface LabFixture {
  /** the lab (created in the suite's before(); reading it earlier throws) */
  readonly lab: Lab;
  /** processes killed (SIGKILL) in after(); push anything started by hand */
  readonly procs: Proc[];
  /** `ha-agent -f CONF` on node `i`, killed in after() */
  startAgent(
    i: number,
    name: string,
    conf: string,
    extra?: string[],
    env?: NodeJS.ProcessEnv,
    spawnOptions?: { detached?: boolean },
  ): Proc;
  /** `address` is on node `i` */
  on(i: number, address: string): boolean;
  /** the last output of every process, to append to a failed assertion */
  dump(): string;
}

/** Call inside a describe(): registers its before()/after() on that suite. */
export function useLab(count: number, net: number, addrs?: string[]): LabFixture {
  let lab: Lab | null = null;
  const procs: Proc[] = [];
  before(() => {
    lab = createLab(count, net, addrs);
  });
  after(async () => {
    await Promise.all(procs.map((p) => stopProc(p, 'SIGKILL')));
    lab?.destroy();
  });
  const fx: LabFixture = {
    get lab(): Lab {
      if (lab === null) throw new Error('the lab is created in before(): use it inside a test');
      return lab;
    },
    procs,
    startAgent(i, name, conf, extra = [], env = process.env, spawnOptions = {}) {
      const p = startAgent(fx.lab, fx.lab.nodes[i].ns, name, conf, extra, env, spawnOptions);
      procs.push(p);
      return p;
    },
    on: (i, address) => hasAddress(fx.lab.nodes[i].ns, address),
    dump: () => procs.map((p) => p.output().slice(-1500)).join('\n---\n'),
  };
  return fx;
}

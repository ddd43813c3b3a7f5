/**
 * Loading stays linear in the size of the configuration (issue 7: generated files of 100 000 backends).
 * Not timings (bench/config-load.ts measures those): these count how often the parser reads the lists
 * it looks names up in, so a lookup that scans a list again for every reference fails here.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProxyDraft } from '../../src/haproxy/context.ts';
import { knownAcl, type ProxyScope } from '../../src/haproxy/proxy/scope.ts';
import { type ProxyToValidate, validateReferences } from '../../src/haproxy/validate.ts';
import { alerts, BASE, parse } from './helpers.ts';

/** `list` behind a proxy that counts the reads of its elements. */
function counted<T>(list: T[]): { list: T[]; reads: () => number } {
  let reads = 0;
  const proxy = new Proxy(list, {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
      return Reflect.get(target, key, receiver);
    },
  });
  return { list: proxy, reads: () => reads };
}

/** A proxy whose `name` counts its reads. */
function backend(name: string, reads: { n: number }, servers: string[] = []): ProxyToValidate {
  return {
    get name() {
      reads.n++;
      return name;
    },
    kind: 'backend',
    capabilities: { frontend: false, backend: true },
    file: 'g.cfg',
    line: 1,
    timeouts: { connect: 1000, server: 1000 },
    servers: servers.map((s, i) => ({
      name: s,
      address: { kind: 'inet', family: 4, host: '10.0.0.1', portMin: 80, portMax: 80 },
      fastinter: 2000,
      downinter: 2000,
      file: 'g.cfg',
      line: 2 + i,
    })),
  };
}

test('use_backend and track references are looked up by name, not by scanning every backend', () => {
  const n = 2000;
  const reads = { n: 0 };
  const backends = Array.from({ length: n }, (_, i) => backend(`be${i}`, reads, [`s${i}`]));
  const tracking = backend('tracking', { n: 0 }, []);
  tracking.servers = Array.from({ length: n }, (_, i) => ({
    ...(backends[i].servers ?? [])[0],
    name: `t${i}`,
    track: `be${i}/s${i}`,
  }));
  const frontend: ProxyToValidate = {
    name: 'f',
    kind: 'frontend',
    capabilities: { frontend: true, backend: false },
    file: 'g.cfg',
    line: 1,
    timeouts: { client: 1000 },
    binds: [
      {
        address: { kind: 'inet', family: null, host: '', portMin: 80, portMax: 80 },
        options: {},
        file: 'g.cfg',
        line: 2,
      },
    ],
    useBackends: backends.map((_, i) => ({ backend: `be${i}`, cond: null, file: 'g.cfg', line: 3 + i })),
  };
  const found = validateReferences({
    proxies: [frontend, ...backends, tracking],
    userlists: [],
    httpErrors: [],
    globalLogTargets: 0,
  });
  assert.deepEqual(
    found.filter((d) => d.severity === 'alert'),
    [],
  );
  // A scan per reference reads about n²/2 names; an index reads each a few times.
  assert.ok(reads.n < 10 * n, `backend names read ${reads.n} times for ${n} backends`);
});

test("a rule's ACL names are looked up in a set, not by scanning the proxy's ACLs", () => {
  const n = 2000;
  const acls = counted(
    Array.from({ length: n }, (_, i) => ({
      name: `a${i}`,
      fetch: 'src',
      fetchArgs: [],
      converters: [],
      values: ['10.0.0.1'],
      file: 'g.cfg',
      line: i + 1,
    })),
  );
  const draft = { name: 'f', acls: acls.list } as unknown as ProxyDraft;
  const px: ProxyScope = {
    kind: 'frontend',
    name: 'f',
    draft,
    capabilities: { frontend: true, backend: false },
  };
  for (let i = 0; i < n; i++) assert.ok(knownAcl(px)(`a${i}`));
  assert.ok(acls.reads() < 3 * n, `ACL list elements read ${acls.reads()} times for ${n} lookups`);
});

test('a proxy of thousands of acl + rule pairs and a userlist of thousands of users load', () => {
  const n = 3000;
  const rules = Array.from(
    { length: n },
    (_, i) => `    acl a${i} src 10.0.0.${i % 250}\n    http-request deny if a${i}\n`,
  );
  const users = Array.from({ length: n }, (_, i) => `    user u${i} insecure-password p groups g\n`);
  const r = parse(
    `${BASE}userlist ops\n    group g\n${users.join('')}frontend f\n    bind :80\n${rules.join('')}    default_backend b\nbackend b\n    server s 10.0.0.1:80\n`,
  );
  assert.deepEqual(alerts(r.diagnostics), []);
  assert.equal(r.config?.proxies[0].acls.length, n);
  assert.equal(r.config?.userlists[0].users.length, n);
});

import { dirname, join } from 'node:path';
import type { SourceHost } from '../../src/keepalived/index.ts';
import { type KeepalivedLoadResult, parseKeepalivedConfig } from '../../src/keepalived/index.ts';

/** Files in memory, with a tiny glob (`*` within one path segment) so includes need no disk. */
export function memoryHost(files: Record<string, string>): SourceHost {
  return {
    readFile(path) {
      const text = files[path];
      if (text === undefined)
        throw Object.assign(new Error(`ENOENT: no such file ${path}`), { code: 'ENOENT' });
      return text;
    },
    glob(pattern, cwd) {
      const full = pattern.startsWith('/') ? pattern : join(cwd, pattern);
      const re = new RegExp(
        `^${full
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '[^/]*')
          .replace(/\?/g, '[^/]')}$`,
      );
      return Object.keys(files)
        .filter((f) => re.test(f))
        .sort()
        .map((f) => (pattern.startsWith('/') ? f : f.slice(cwd.length + 1)));
    },
  };
}

export const HOST_INTERFACES = new Set(['eth0', 'eth1', 'eth2']);

/** Parses `text` as /etc/keepalived/keepalived.conf with a fixed interface set and config id. */
export function parse(
  text: string,
  opts: { configId?: string; files?: Record<string, string> } = {},
): KeepalivedLoadResult {
  const path = '/etc/keepalived/keepalived.conf';
  return parseKeepalivedConfig(
    { path, text },
    {
      configId: opts.configId ?? 'test',
      host: memoryHost({ [path]: text, ...opts.files }),
      interfaceExists: (n) => HOST_INTERFACES.has(n),
      randomInt: (min) => min,
    },
  );
}

export function dirOf(path: string): string {
  return dirname(path);
}

/** The smallest valid instance, for tests that only care about one keyword. */
export function instance(body: string, name = 'VI_1'): string {
  return `vrrp_instance ${name} {\n    interface eth0\n    virtual_router_id 51\n${body}\n    virtual_ipaddress {\n        10.0.0.1/24\n    }\n}\n`;
}

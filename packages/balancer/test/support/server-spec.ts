import type { ServerSpec } from '../../src/engine/engine-config.ts';

/** What `server NAME 127.0.0.1:PORT` with nothing else gives (port 1 unless said). */
export function serverSpec(o: Partial<ServerSpec> & { name: string }): ServerSpec {
  const plain: ServerSpec = {
    name: o.name,
    host: '127.0.0.1',
    port: 1,
    path: null,
    weight: 1,
    maxconn: null,
    disabled: false,
    backup: false,
  };
  return { ...plain, ...o, host: o.host ?? plain.host };
}

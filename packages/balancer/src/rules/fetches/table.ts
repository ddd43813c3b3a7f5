/**
 * The sample fetches (configuration.txt §7.3.2–7.3.6), one table. Each entry says what it returns
 * (`out`), where it is valid (`where`: request, response or both) and how many arguments it takes, and
 * compiles its arguments once into a function of the context. `each`, when present, visits every value
 * (an ACL matches if any occurrence does, e.g. every `Host` value); otherwise an ACL sees `one`.
 */
import type { Userlist } from '../../auth/userlist.ts';
import { TLS_FETCHES } from '../../tls/tls-fetches.ts';
import type { RuleContext } from '../context.ts';
import type { HeadView } from '../head-view.ts';
import type { Sample, SampleType } from '../sample.ts';
import { AUTH_FETCHES } from './auth.ts';
import { eachCookieIn, HeaderCursor } from './headers.ts';
import { PAYLOAD_FETCHES, RES_PAYLOAD_FETCHES } from './payload.ts';
import { currentPath, currentUri, pathqOf, queryOf, urlParam } from './uri.ts';

export type OneFn = (c: RuleContext) => Sample;
/** Visits each value; returns true as soon as `visit` does. */
export type EachFn = (c: RuleContext, visit: (v: Sample) => boolean) => boolean;

/** What a fetch may resolve when it is compiled (its arguments name configuration objects). */
export interface FetchEnv {
  /** `userlist NAME` of the configuration, null when there is none */
  userlist?(name: string): Userlist | null;
  /** the rules are a frontend's (no backend capability): backend fetches have no value in its requests */
  frontendOnly?: boolean;
}

export interface FetchDef {
  out: SampleType;
  where: 'req' | 'res' | 'any';
  minArgs: number;
  maxArgs: number;
  /** known when the connection is accepted (tcp-request connection/session/content without waiting) */
  l4?: boolean;
  /** reads the bytes a `mode tcp` connection sent (tcp-request content: fetches/payload.ts) */
  l6?: boolean;
  /** reads the bytes its server sent (tcp-response content) */
  l6res?: boolean;
  /** rewrites an ACL pattern before it is parsed by the default matching method (req.ssl_ver's `3.3`) */
  patternOf?(p: string): string;
  one(args: readonly string[], env?: FetchEnv): OneFn;
  each?(args: readonly string[], env?: FetchEnv): EachFn;
  /**
   * what must exist before the fetch has a value (HAProxy's SMP_USE_BKEND / SMP_USE_SERVR): request
   * rules of a frontend have no backend yet, request rules anywhere no server
   */
  needs?: 'backend' | 'server';
  /** checks an ACL's patterns against the arguments at compile time (throws with what is wrong) */
  patterns?(args: readonly string[], env: FetchEnv | undefined, patterns: readonly string[]): void;
}

type Side = 'req' | 'res' | 'auto';
const view = (c: RuleContext, side: Side): HeadView =>
  side === 'req' ? c.req : side === 'res' ? c.res : c.inResponse ? c.res : c.req;

function occArg(a: string | undefined): number {
  if (a === undefined || a === '') return -1;
  const n = Number.parseInt(a, 10);
  if (Number.isNaN(n)) throw new Error(`'${a}' is not an occurrence number`);
  return n;
}

function hdr(side: Side, split: boolean, where: FetchDef['where']): FetchDef {
  return {
    out: 'str',
    where,
    minArgs: 1,
    maxArgs: 2,
    one(args) {
      const lower = args[0].toLowerCase();
      const occ = occArg(args[1]);
      const cur = new HeaderCursor();
      return (c) => cur.occ(view(c, side), lower, split, occ);
    },
    each(args) {
      if (args[1] !== undefined && args[1] !== '') {
        const one = this.one(args);
        return (c, visit) => {
          const v = one(c);
          return v !== null && visit(v);
        };
      }
      const lower = args[0].toLowerCase();
      const cur = new HeaderCursor();
      return (c, visit) => {
        cur.start(view(c, side), lower, split);
        for (let x = cur.next(); x !== null; x = cur.next()) if (visit(x)) return true;
        return false;
      };
    },
  };
}

function hdrCnt(side: Side, split: boolean, where: FetchDef['where']): FetchDef {
  return {
    out: 'int',
    where,
    minArgs: 0,
    maxArgs: 1,
    one(args) {
      const lower = (args[0] ?? '').toLowerCase();
      const cur = new HeaderCursor();
      return (c) => cur.count(view(c, side), lower, split);
    },
  };
}

function hdrVal(side: Side, where: FetchDef['where']): FetchDef {
  const base = hdr(side, true, where);
  return {
    out: 'int',
    where,
    minArgs: 1,
    maxArgs: 2,
    one(args) {
      const f = base.one(args);
      return (c) => {
        const v = f(c) as string | null;
        if (v === null) return null;
        const n = Number.parseInt(v, 10);
        return Number.isNaN(n) ? null : n;
      };
    },
  };
}

function cook(side: Side, where: FetchDef['where']): FetchDef {
  return {
    out: 'str',
    where,
    minArgs: 0,
    maxArgs: 1,
    one(args) {
      const each = this.each!(args);
      let found: string | null = null;
      const take = (v: Sample) => {
        found = v as string;
        return true;
      };
      return (c) => {
        found = null;
        each(c, take);
        return found;
      };
    },
    each(args) {
      const name = args[0] ?? '';
      const cur = new HeaderCursor();
      return (c, visit) => {
        const v = view(c, side);
        const setCookie = v === c.res;
        cur.start(v, setCookie ? 'set-cookie' : 'cookie', false);
        for (let line = cur.next(); line !== null; line = cur.next())
          if (eachCookieIn(line, name, setCookie, visit)) return true;
        return false;
      };
    },
  };
}

function cookCnt(side: Side, where: FetchDef['where']): FetchDef {
  const base = cook(side, where);
  return {
    out: 'int',
    where,
    minArgs: 0,
    maxArgs: 1,
    one(args) {
      const each = base.each!(args);
      let n = 0;
      const count = () => {
        n++;
        return false;
      };
      return (c) => {
        n = 0;
        each(c, count);
        return n;
      };
    },
  };
}

const fixed = (out: SampleType, where: FetchDef['where'], fn: OneFn): FetchDef => ({
  out,
  where,
  minArgs: 0,
  maxArgs: 0,
  one: () => fn,
});

function constant(out: SampleType, parse: (a: string) => Sample): FetchDef {
  return {
    out,
    where: 'any',
    minArgs: 1,
    maxArgs: 1,
    one(args) {
      const v = parse(args[0]);
      return () => v;
    },
  };
}

function intArg(a: string): number {
  if (!/^-?\d+$/.test(a)) throw new Error(`'${a}' is not an integer`);
  return Number.parseInt(a, 10);
}

const urlParamDef: FetchDef = {
  out: 'str',
  where: 'req',
  minArgs: 0,
  maxArgs: 2,
  one(args) {
    const name = args[0] ?? '';
    const delim = args[1] && args[1] !== '' ? args[1] : '&';
    return (c) => urlParam(currentUri(c), name, delim, 0);
  },
};

function varDef(): FetchDef {
  return {
    out: 'any',
    where: 'any',
    minArgs: 1,
    maxArgs: 2,
    one(args) {
      const m = /^(proc|sess|txn|req|res)\.([A-Za-z0-9_.]+)$/.exec(args[0]);
      if (!m)
        throw new Error(
          `invalid variable name '${args[0]}' (write scope.name, scope being proc, sess, txn, req or res)`,
        );
      const scope = m[1];
      const key = args[0];
      const dflt = args[1] ?? null;
      return (c) => c.vars(scope).get(key) ?? dflt;
    },
  };
}

/** `capture.req.hdr(N)` / `capture.res.hdr(N)`: what `capture request|response header` took. */
function captured(side: 'req' | 'res'): FetchDef {
  return {
    out: 'str',
    where: 'any',
    minArgs: 1,
    maxArgs: 1,
    one(args) {
      const n = intArg(args[0]);
      return (c) => (side === 'req' ? c.reqCaptures : c.resCaptures)[n] ?? null;
    },
  };
}

function usableServers(c: RuleContext, name: string | null): number {
  const be = name === null ? c.env.backend(c.beName) : c.env.backend(name);
  if (be === null) return 0;
  let act = 0;
  let bck = 0;
  for (const s of be.servers) {
    if (!s.up || s.weight === 0) continue;
    if (s.spec.backup) bck++;
    else act++;
  }
  return act > 0 ? act : bck;
}

const L4 = new Set([
  'src',
  'src_port',
  'dst',
  'dst_port',
  'fe_name',
  'nbsrv',
  'srv_is_up',
  ...TLS_FETCHES.keys(),
  'always_true',
  'always_false',
  'str',
  'int',
  'bool',
  'ipv4',
  'ipv6',
  'env',
  'var',
]);

const TABLE = new Map<string, FetchDef>([
  // layer 4
  ['src', fixed('ip', 'any', (c) => c.src)],
  ['src_port', fixed('int', 'any', (c) => c.srcPort)],
  ['dst', fixed('ip', 'any', (c) => c.dst)],
  ['dst_port', fixed('int', 'any', (c) => c.dstPort)],
  ['fe_name', fixed('str', 'any', (c) => c.feName)],
  ['be_name', { ...fixed('str', 'any', (c) => c.beName), needs: 'backend' }],
  ['srv_name', { ...fixed('str', 'any', (c) => (c.srvName === '' ? null : c.srvName)), needs: 'server' }],
  [
    'nbsrv',
    {
      out: 'int',
      where: 'any',
      minArgs: 0,
      maxArgs: 1,
      one(args) {
        const name = args[0] ?? null;
        return (c) => usableServers(c, name);
      },
    },
  ],
  [
    'srv_is_up',
    {
      out: 'bool',
      where: 'any',
      minArgs: 1,
      maxArgs: 1,
      one(args) {
        const slash = args[0].indexOf('/');
        const beName = slash < 0 ? null : args[0].slice(0, slash);
        const srvName = slash < 0 ? args[0] : args[0].slice(slash + 1);
        return (c) => {
          const be = c.env.backend(beName ?? c.beName);
          const s = be?.servers.find((x) => x.spec.name === srvName);
          return s === undefined ? null : s.up;
        };
      },
    },
  ],
  ['always_true', fixed('bool', 'any', () => true)],
  ['always_false', fixed('bool', 'any', () => false)],
  ['req.proto_http', fixed('bool', 'req', () => true)],
  // constants
  ['str', constant('str', (a) => a)],
  ['int', constant('int', intArg)],
  ['bool', constant('bool', (a) => intArg(a) !== 0)],
  ['ipv4', constant('ip', (a) => a)],
  ['ipv6', constant('ip', (a) => a)],
  ['meth', constant('meth', (a) => a)],
  ['env', constant('str', (a) => process.env[a] ?? null)],
  ['var', varDef()],
  ['capture.req.hdr', captured('req')],
  ['capture.res.hdr', captured('res')],
  // layer 7, request
  ['method', fixed('meth', 'req', (c) => c.method)],
  ['req.ver', fixed('str', 'req', (c) => `1.${c.versionMinor}`)],
  ['req_ver', fixed('str', 'req', (c) => `1.${c.versionMinor}`)],
  ['path', fixed('str', 'req', currentPath)],
  ['pathq', fixed('str', 'req', (c) => pathqOf(currentUri(c)))],
  ['query', fixed('str', 'req', (c) => queryOf(currentUri(c)))],
  ['url', fixed('str', 'req', (c) => currentUri(c))],
  [
    'base',
    {
      out: 'str',
      where: 'req',
      minArgs: 0,
      maxArgs: 0,
      one() {
        const cur = new HeaderCursor();
        return (c) => {
          const host = cur.occ(c.req, 'host', false, 1);
          const p = currentPath(c);
          return host === null ? p : host + p;
        };
      },
    },
  ],
  ['url_param', urlParamDef],
  ['urlp', urlParamDef],
  ['hdr', hdr('auto', true, 'any')],
  ['req.hdr', hdr('req', true, 'req')],
  ['req.fhdr', hdr('req', false, 'req')],
  ['fhdr', hdr('auto', false, 'any')],
  ['hdr_cnt', hdrCnt('auto', true, 'any')],
  ['req.hdr_cnt', hdrCnt('req', true, 'req')],
  ['req.fhdr_cnt', hdrCnt('req', false, 'req')],
  ['fhdr_cnt', hdrCnt('auto', false, 'any')],
  ['hdr_val', hdrVal('auto', 'any')],
  ['req.hdr_val', hdrVal('req', 'req')],
  ['cook', cook('req', 'req')],
  ['req.cook', cook('req', 'req')],
  ['cook_cnt', cookCnt('req', 'req')],
  ['req.cook_cnt', cookCnt('req', 'req')],
  // layer 7, response
  ['status', fixed('int', 'res', (c) => c.status)],
  ['res.ver', fixed('str', 'res', (c) => (c.res.head ? `1.${c.res.head.versionMinor}` : null))],
  ['res.hdr', hdr('res', true, 'res')],
  ['shdr', hdr('res', true, 'res')],
  ['res.fhdr', hdr('res', false, 'res')],
  ['res.hdr_cnt', hdrCnt('res', true, 'res')],
  ['shdr_cnt', hdrCnt('res', true, 'res')],
  ['res.fhdr_cnt', hdrCnt('res', false, 'res')],
  ['res.hdr_val', hdrVal('res', 'res')],
  ['shdr_val', hdrVal('res', 'res')],
  ['res.cook', cook('res', 'res')],
  ['scook', cook('res', 'res')],
  ['res.cook_cnt', cookCnt('res', 'res')],
  ['scook_cnt', cookCnt('res', 'res')],
]);

// the TLS facts of the client connection (tls/tls-fetches.ts: ssl_fc, ssl_fc_sni, ssl_c_verify, …)
for (const [name, f] of TLS_FETCHES)
  TABLE.set(
    name,
    fixed(f.out, 'any', (c) => f.value(c.tls)),
  );

// HTTP authentication against a userlist (fetches/auth.ts: http_auth, http_auth_group, …)
for (const [name, def] of AUTH_FETCHES) TABLE.set(name, def);

for (const [name, def] of TABLE) if (L4.has(name)) def.l4 = true;

// the bytes of a mode tcp connection (fetches/payload.ts: req.len, req.payload, req.ssl_sni, …)
for (const [name, def] of PAYLOAD_FETCHES) TABLE.set(name, { ...def, l6: true });
for (const [name, def] of RES_PAYLOAD_FETCHES) TABLE.set(name, { ...def, l6res: true });

export const FETCHES: ReadonlyMap<string, FetchDef> = TABLE;

/**
 * The haproxy.cfg model's logging settings → ProxyLogSpec (log-spec.ts), once at start:
 * `log` lines of a proxy (with `log global` replaced by the global section's, `no log` having
 * cleared them in the parser), their facility, levels, `format`, `len`, `sample`; `log-tag` (proxy,
 * else global, else `haproxy`); global `log-send-hostname [NAME]`; and the frontend's access format
 * from `option httplog [clf]` / `option tcplog` (httplog on a `mode tcp` frontend falls back to
 * tcplog, as HAProxy warns) and the dontlog / log-separate-errors / logasap options.
 */
import { hostname } from 'node:os';
import type { HaproxyConfig, LogTarget, Proxy as ModelProxy } from '@ha-lb/shared-config/haproxy';
import { LB_ERR, LbError } from '../errors.ts';
import type { ConvEnv } from '../rules/converters/table.ts';
import { RuleError } from '../rules/expression.ts';
import { compileLogFormat, type LogLine } from '../rules/log-format.ts';
import {
  FACILITIES,
  LEVELS,
  type LogTargetSpec,
  type ProxyLogSpec,
  parseSample,
  type SyslogFormat,
} from './log-spec.ts';

/** The name our lines carry by default: HAProxy's program name, so rsyslog rules matching `haproxy` keep working. */
export const DEFAULT_LOG_TAG = 'haproxy';

function targetSpec(t: Extract<LogTarget, { kind: 'target' }>): LogTargetSpec {
  const a = t.address;
  const facility = FACILITIES.indexOf(t.facility);
  const level = t.level === null ? 7 : LEVELS.indexOf(t.level);
  const minLevel = t.minLevel === null ? 0 : LEVELS.indexOf(t.minLevel);
  const base = {
    text: t.target,
    host: '',
    port: 0,
    family: 4 as 4 | 6,
    path: '',
    facility: facility < 0 ? 16 : facility,
    maxLevel: level,
    minLevel,
    format: (t.format ?? 'default') as SyslogFormat,
    len: t.len ?? 1024,
    sample: t.sample === null ? null : parseSample(t.sample),
  };
  if (t.target === 'stdout' || t.target === 'stderr') return { ...base, kind: t.target };
  if (a !== null && a.kind === 'inet')
    return {
      ...base,
      kind: 'udp',
      host: a.host || '127.0.0.1',
      port: a.portMin,
      family: a.family === 6 || (a.family === null && a.host.includes(':')) ? 6 : 4,
    };
  if (a !== null && a.kind === 'unix') return { ...base, kind: 'unix', path: a.path };
  // ring@ and anything else: kept as a target that drops (warned in config/in-effect.ts)
  return { ...base, kind: 'unix' };
}

/** The global section's targets (what `log global` means). */
function globalTargets(model: HaproxyConfig): LogTargetSpec[] {
  const out: LogTargetSpec[] = [];
  for (const t of model.global.log) if (t.kind === 'target') out.push(targetSpec(t));
  return out;
}

function sendHostname(model: HaproxyConfig): string | null {
  const v = model.global.settings['log-send-hostname'];
  if (v === undefined) return null;
  return v[0] ?? hostname();
}

/**
 * A log-format string of proxy `p` compiled, or HAProxy's alert naming the line:
 * `Parsing [F:L]: failed to parse log-format : no such format variable 'foo'. …`
 */
export function compileProxyFormat(
  text: string,
  at: { file: string; line: number },
  env: ConvEnv,
  what = 'log-format',
  mode: 'http' | 'tcp' = 'http',
): LogLine {
  try {
    return compileLogFormat(text, env, mode);
  } catch (e) {
    if (e instanceof RuleError)
      throw new LbError(
        LB_ERR.CONFIG,
        `Parsing [${at.file}:${at.line}]: failed to parse ${what} : ${e.message}.`,
        {
          cause: e,
        },
      );
    throw e;
  }
}

/** Logging of proxy `p`, or null when it has no log target (nothing to do on the data path). */
export function proxyLogSpec(model: HaproxyConfig, p: ModelProxy, env?: ConvEnv): ProxyLogSpec | null {
  const targets: LogTargetSpec[] = [];
  for (const t of p.log) {
    if (t.kind === 'global') targets.push(...globalTargets(model));
    else targets.push(targetSpec(t));
  }
  if (targets.length === 0) return null;
  const o = p.options;
  const tcp = p.mode === 'tcp';
  const custom = p.logFormat !== null && !o.httplog && !o.httpslog && !o.tcplog;
  const at = p.logFormatAt ?? { file: p.file, line: p.line };
  const convEnv: ConvEnv = env ?? { loadMap: () => '' };
  const format = custom
    ? 'custom'
    : o.httpslog && !tcp
      ? 'https'
      : o.httplog && !tcp
        ? o.httplogClf
          ? 'clf'
          : 'http'
        : o.httplog || o.httpslog || o.tcplog
          ? 'tcp'
          : 'default';
  return {
    targets,
    format,
    custom: custom ? compileProxyFormat(p.logFormat!, at, convEnv, 'log-format', p.mode) : null,
    customSd:
      p.logFormatSd !== null && p.logFormatSd !== ''
        ? compileProxyFormat(p.logFormatSd, { file: p.file, line: p.line }, convEnv, 'log-format-sd', p.mode)
        : null,
    tag: p.logTag ?? model.global.logTag ?? DEFAULT_LOG_TAG,
    hostname: sendHostname(model),
    dontlognull: o.dontlognull === true,
    dontlogNormal: o.dontlogNormal === true,
    separateErrors: o.logSeparateErrors === true,
    logasap: o.logasap === true,
  };
}

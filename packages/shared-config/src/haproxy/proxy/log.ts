/** `log`, and `capture` (what goes into the logs). */
import { suggest } from '../../common/did-you-mean.ts';
import type { LineContext } from '../context.ts';
import { CODES, ensure } from '../context.ts';
import { parseAddress } from '../values.ts';
import { int, type ProxyKeyword, simple, usage } from './scope.ts';

/** `log` options between the target and the facility, in the only order HAProxy 2.6 accepts. */
const LOG_OPTIONS: readonly string[] = ['len', 'format', 'sample'];

/** syslog facilities in their numeric order (kern = 0 … local7 = 23), as HAProxy names them */
export const LOG_FACILITIES: readonly string[] = [
  'kern',
  'user',
  'mail',
  'daemon',
  'auth',
  'syslog',
  'lpr',
  'news',
  'uucp',
  'cron',
  'auth2',
  'ftp',
  'ntp',
  'audit',
  'alert',
  'cron2',
  'local0',
  'local1',
  'local2',
  'local3',
  'local4',
  'local5',
  'local6',
  'local7',
];
/** syslog levels in their numeric order (emerg = 0 … debug = 7) */
export const LOG_LEVELS: readonly string[] = [
  'emerg',
  'alert',
  'crit',
  'err',
  'warning',
  'notice',
  'info',
  'debug',
];
export const LOG_FORMATS = ['local', 'rfc3164', 'rfc5424', 'priority', 'short', 'timed', 'iso', 'raw'];

/** `log global` | `log <target> [len N] [format F] [sample R:S] <facility> [level [minlevel]]` | `no log`. */
export function parseLogLine(ctx: LineContext, allowGlobal: boolean) {
  const args = [...ctx.args];
  if (ctx.no) return { clear: true as const };
  if (args[0] === 'global') {
    if (!allowGlobal) {
      ctx.alert("'log global' is only valid in proxies and 'defaults' sections.", CODES.wrongSection);
      return undefined;
    }
    if (args.length > 1) {
      ctx.alert(`'log global' takes no other argument (unexpected '${args[1]}').`, CODES.syntax);
      return undefined;
    }
    return { entry: { kind: 'global' as const, file: ctx.file, line: ctx.line } };
  }
  const target = args.shift();
  if (target === undefined) {
    ctx.alert(
      "'log' expects either <address[:port]> and <facility> or 'global' as arguments.",
      CODES.missingArg,
    );
    return undefined;
  }
  let len: number | null = null;
  let format: string | null = null;
  let sample: string | null = null;
  // HAProxy 2.6 reads them in this order, each once (`sample … format …` is an unknown facility there)
  let next = 0;
  while (LOG_OPTIONS.indexOf(args[0], next) >= 0) {
    next = LOG_OPTIONS.indexOf(args[0], next) + 1;
    const k = args.shift() as string;
    const v = args.shift();
    if (v === undefined) {
      ctx.alert(`'log' : missing value after '${k}'.`, CODES.missingArg);
      return undefined;
    }
    if (k === 'len') {
      const n = int(ctx, v, 'log len', 80, 65535);
      if (n === undefined) return undefined;
      len = n;
    } else if (k === 'format') {
      if (!LOG_FORMATS.includes(v)) {
        ctx.alert(`'log' : unknown log format '${v}' (use ${LOG_FORMATS.join(', ')}).`, CODES.badValue);
        return undefined;
      }
      format = v;
    } else sample = v;
  }
  const [facility, level, minLevel, extra] = args;
  if (facility === undefined || !LOG_FACILITIES.includes(facility)) {
    const hint = facility && suggest(facility, LOG_FACILITIES);
    ctx.alert(
      facility === undefined
        ? "'log' expects <address[:port]> and <facility> as arguments (e.g. 'log 127.0.0.1 local0')."
        : LOG_OPTIONS.includes(facility)
          ? `log : unknown log facility '${facility}' (write the options in HAProxy's order: len, then format, then sample, each once, before the facility).`
          : `unknown log facility '${facility}'${hint ? `; did you mean '${hint}' maybe ?` : ` (use local0 … local7, daemon, user, …)`}`,
      CODES.badValue,
    );
    return undefined;
  }
  for (const l of [level, minLevel]) {
    if (l !== undefined && !LOG_LEVELS.includes(l)) {
      const hint = suggest(l, LOG_LEVELS);
      ctx.alert(
        `unknown optional log level '${l}'${hint ? `; did you mean '${hint}' maybe ?` : ` (use ${LOG_LEVELS.join(', ')})`}`,
        CODES.badValue,
      );
      return undefined;
    }
  }
  if (extra !== undefined) {
    ctx.alert(`'log' : unexpected extra argument '${extra}'.`, CODES.syntax);
    return undefined;
  }
  let address = null;
  if (!['stdout', 'stderr'].includes(target) && !target.startsWith('ring@')) {
    const a = parseAddress(target, { what: 'log', defaultPort: 514, allowHostname: true, env: ctx.env });
    if (!a.ok) {
      ctx.alert(a.error, CODES.badValue);
      return undefined;
    }
    address = a.value.address;
  }
  return {
    entry: {
      kind: 'target' as const,
      target,
      address,
      facility,
      level: level ?? null,
      minLevel: minLevel ?? null,
      format,
      len,
      sample,
      file: ctx.file,
      line: ctx.line,
    },
  };
}

export const logKeyword: ProxyKeyword = simple('dfb', (ctx, px) => {
  const r = parseLogLine(ctx, true);
  if (!r) return;
  if ('clear' in r) px.draft.log = [];
  else ensure(px.draft, 'log', () => []).push(r.entry);
});

export const captureKeyword: ProxyKeyword = simple('f', (ctx, px) => {
  const [what, header, name, lenWord, len] = ctx.args;
  if (what === 'cookie') {
    // capture cookie <name> len <length>
    if (header === undefined || name !== 'len' || lenWord === undefined)
      return usage(ctx, "'cookie' <cookie_name> 'len' <max_length>");
    const n = int(ctx, lenWord, 'capture cookie len', 1, 64);
    if (n === undefined) return;
    ensure(px.draft, 'captures', () => []).push({
      kind: 'cookie',
      name: header,
      len: n,
      file: ctx.file,
      line: ctx.line,
    });
    return;
  }
  if (
    (what !== 'request' && what !== 'response') ||
    header !== 'header' ||
    name === undefined ||
    lenWord !== 'len'
  ) {
    return usage(
      ctx,
      "'request header' or 'response header' <name> 'len' <length>, or 'cookie' <name> 'len' <length>",
    );
  }
  const n = int(ctx, len, `capture ${what} header len`, 1);
  if (n === undefined) return;
  ensure(px.draft, 'captures', () => []).push({
    kind: `${what} header`,
    name,
    len: n,
    file: ctx.file,
    line: ctx.line,
  });
});

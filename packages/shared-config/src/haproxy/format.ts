/**
 * HAProxy's diagnostic shape, so operators (and their log scrapers) see what they know:
 * `[ALERT]    (PID) : config : parsing [FILE:LINE] : message`.
 */
import type { Diagnostic, HaproxyAt } from '../common/diagnostic.ts';
import { CODES } from './codes.ts';

const TAGS: Record<string, string> = {
  alert: '[ALERT]    ',
  warning: '[WARNING]  ',
  notice: '[NOTICE]   ',
};

export function formatHaproxyLine(
  severity: 'alert' | 'warning' | 'notice',
  message: string,
  pid: number | string = process.pid,
): string {
  return `${TAGS[severity]}(${pid}) : ${message}`;
}

/**
 * Where HAProxy 2.6 prints a location in another form than `parsing [F:L] : `, for diagnostics made
 * by keyword handlers (which cannot set `at` themselves yet: their LineContext takes a message and a
 * code). First match wins; diagnostics that set `at` are not looked up.
 */
const FORMS: readonly (readonly [RegExp, HaproxyAt])[] = [
  // server.c, _srv_parse_init / srv_parse_kw: "[%s:%d] : '%s %s/%s' : %s"
  [/^'server [^' ]+\/[^' ]*' : /, 'bracket'],
  // cfgparse-listen.c, option httplog/httpslog/tcplog and log-format in a defaults section
  [/^'(option [a-z]+( clf)?|log-format)' overrides previous '/, 'parsing:'],
  // tcpcheck.c, proxy_parse_httpchk_opt
  [/^'option httpchk' : hiding headers or body at the end of the version string is deprecated/, 'parsing:'],
];

/**
 * Alerts after which HAProxy 2.6 reads no further (ERR_ABORT), for diagnostics made by keyword
 * handlers (which cannot set `abort`): a rule it cannot parse (cfgparse-listen.c, http-request /
 * http-response / http-after-response). The balancer's -c output stops there, as HAProxy's does.
 */
const ABORTS: readonly RegExp[] = [
  /^error detected while parsing an 'http-(request|response|after-response) [^']*' condition : /,
  /^'http-(request|response|after-response)' : /,
];

/** True when HAProxy stops reading the configuration at this diagnostic. */
export function stopsReading(d: Diagnostic): boolean {
  return d.abort === true || (d.severity === 'alert' && ABORTS.some((re) => re.test(d.message)));
}

function formOf(d: Diagnostic): HaproxyAt {
  if (d.at !== undefined) return d.at;
  if (d.code === CODES.serverOption) return 'bracket';
  for (const [re, at] of FORMS) if (re.test(d.message)) return at;
  return 'parsing';
}

function location(d: Diagnostic): string {
  if (d.line <= 0) return '';
  const where = `[${d.file}:${d.line}]`;
  switch (formOf(d)) {
    case 'parsing':
      return `parsing ${where} : `;
    case 'parsing:':
      return `parsing ${where}: `;
    case 'Parsing:':
      return `Parsing ${where}: `;
    case 'bracket':
      return `${where} : `;
    case 'none':
      return '';
  }
}

/**
 * One diagnostic as HAProxy prints it. A message may span several lines: HAProxy writes the following
 * ones as `   | …` (the missing-timeouts warning), so does the message text. An alert HAProxy prints
 * without any location (most of its whole-configuration checks name only the proxy) ends with ours,
 * `(at FILE:LINE)`, after HAProxy's words: bad input always says where it is.
 */
export function formatHaproxyDiagnostic(d: Diagnostic, pid: number | string = process.pid): string {
  const where = location(d);
  const placed = where !== '' || d.line <= 0 || d.severity !== 'alert' || d.message.includes(`${d.file}:`);
  const message = placed ? d.message : `${d.message} (at ${d.file}:${d.line})`;
  return formatHaproxyLine(d.severity, `config : ${where}${message}`, pid);
}

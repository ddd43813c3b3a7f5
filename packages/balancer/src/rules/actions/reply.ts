/**
 * The responses the balancer makes itself for `return`, `deny … string`, `redirect` — byte for byte
 * as HAProxy 2.6 sends them (recorded: the `hdr` lines first, then `content-length`, then
 * `content-type` when there is a body; a `hdr` whose value is empty is left out).
 */
import type { RuleContext } from '../context.ts';
import type { Format } from '../log-format.ts';

/** HAProxy's http_get_reason(). */
const REASONS: Record<number, string> = {
  100: 'Continue',
  101: 'Switching Protocols',
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  203: 'Non-Authoritative Information',
  204: 'No Content',
  205: 'Reset Content',
  206: 'Partial Content',
  300: 'Multiple Choices',
  301: 'Moved Permanently',
  302: 'Found',
  303: 'See Other',
  304: 'Not Modified',
  305: 'Use Proxy',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  411: 'Length Required',
  412: 'Precondition Failed',
  413: 'Payload Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable',
  417: 'Expectation Failed',
  418: "I'm a teapot",
  421: 'Misdirected Request',
  422: 'Unprocessable Content',
  423: 'Locked',
  424: 'Failed Dependency',
  425: 'Too Early',
  426: 'Upgrade Required',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  451: 'Unavailable For Legal Reasons',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  505: 'HTTP Version Not Supported',
  506: 'Variant Also Negotiates',
  507: 'Insufficient Storage',
  508: 'Loop Detected',
  510: 'Not Extended',
  511: 'Network Authentication Required',
};

export function reasonOf(status: number): string {
  return (
    REASONS[status] ??
    (status < 200
      ? 'Informational'
      : status < 300
        ? 'Success'
        : status < 400
          ? 'Redirection'
          : status < 500
            ? 'Client Error'
            : status < 600
              ? 'Server Error'
              : 'Other')
  );
}

export interface ReplySpec {
  status: number;
  contentType: string | null;
  /** constant body, or a format evaluated per request (lf-string / lf-file) */
  body: string | Format;
  headers: { name: string; value: Format }[];
}

export function buildReply(spec: ReplySpec, c: RuleContext): Buffer {
  let head = `HTTP/1.1 ${spec.status} ${reasonOf(spec.status)}\r\n`;
  for (const h of spec.headers) {
    const v = h.value(c);
    if (v !== '') head += `${h.name}: ${v}\r\n`;
  }
  const body = typeof spec.body === 'string' ? spec.body : spec.body(c);
  const len = Buffer.byteLength(body, 'latin1');
  head += `content-length: ${len}\r\n`;
  if (len > 0 && spec.contentType !== null) head += `content-type: ${spec.contentType}\r\n`;
  return Buffer.from(`${head}\r\n${body}`, 'latin1');
}

/**
 * `http-request use-service prometheus-exporter`: the frontend answers with HAProxy 2.6's exporter
 * text (stats/prometheus.ts) for the request's query string (`scope`, `no-maint`), in the exporter's
 * response shape (recorded: `cache-control: no-cache`, `content-type: text/plain; version=0.0.4`,
 * chunked). The engine provides the text through the rule environment (RuleEnv.prometheus).
 */
import type { HttpRule } from '@ha-lb/shared-config/haproxy';
import { RuleError } from '../expression.ts';
import { currentUri, queryOf } from '../fetches/uri.ts';
import { type ActionCompiler, DONE } from './action.ts';

const HEAD_10 = 'HTTP/1.1 200 OK\r\ncache-control: no-cache\r\ncontent-type: text/plain; version=0.0.4\r\n';
const HEAD = `${HEAD_10}transfer-encoding: chunked\r\n\r\n`;

export const compileUseService: ActionCompiler<Extract<HttpRule, { action: 'other' }>> = (rule) => {
  const name = rule.args[0] ?? '';
  if (name !== 'prometheus-exporter')
    throw new RuleError(
      `'use-service' expects a service name; only 'prometheus-exporter' exists, not '${name}'`,
    );
  return (c) => {
    const text = c.env.prometheus?.(queryOf(currentUri(c)) ?? '') ?? '';
    c.intercepted = c.env.prometheus !== undefined;
    const len = Buffer.byteLength(text, 'latin1');
    // an HTTP/1.0 client cannot read chunks: the same body with its length
    c.reply = Buffer.from(
      c.versionMinor === 0
        ? `${HEAD_10}content-length: ${len}\r\n\r\n${text}`
        : len === 0
          ? `${HEAD}0\r\n\r\n`
          : `${HEAD}${len.toString(16)}\r\n${text}\r\n0\r\n\r\n`,
      'latin1',
    );
    c.replyStatus = 200;
    return DONE;
  };
};

/** The `status`/`content-type`/`string|lf-string|file|lf-file`/`hdr` payload shared by return and deny. */
import type { HttpRule } from '@ha-lb/shared-config/haproxy';
import { RuleError } from '../expression.ts';
import { compileFormat, type Format } from '../log-format.ts';
import type { ActionEnv } from './action.ts';
import type { ReplySpec } from './reply.ts';

type Body = Extract<HttpRule, { action: 'return' }>['body'];

export function replySpec(
  status: number,
  contentType: string | null,
  body: Body | null,
  headers: readonly { name: string; format: string }[],
  env: ActionEnv,
): ReplySpec {
  let b: string | Format = '';
  if (body !== null) {
    switch (body.kind) {
      case 'none':
        break;
      case 'string':
        b = body.value;
        break;
      case 'lf-string':
        b = compileFormat(body.value, env.place, env);
        break;
      case 'file':
        b = env.readFile(body.value);
        break;
      case 'lf-file':
        b = compileFormat(env.readFile(body.value), env.place, env);
        break;
      default:
        throw new RuleError(
          `'${body.kind}' bodies are not implemented yet (use string, lf-string, file or lf-file)`,
        );
    }
  }
  if (contentType === null && body !== null && body.kind !== 'none') {
    throw new RuleError("a body needs a 'content-type'");
  }
  return {
    status,
    contentType,
    body: b,
    headers: headers.map((h) => ({ name: h.name, value: compileFormat(h.format, env.place, env) })),
  };
}

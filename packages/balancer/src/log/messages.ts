/**
 * Start-up and lifecycle messages in HAProxy's shape (`[ALERT]    (pid) : text`). Never used per request.
 */
export interface MessageSink {
  alert(text: string): void;
  warning(text: string): void;
  notice(text: string): void;
}

export function stderrMessages(opts: { quiet: boolean; stderr?: NodeJS.WritableStream }): MessageSink {
  const out = opts.stderr ?? process.stderr;
  const line = (tag: string, text: string) => out.write(`${tag.padEnd(10)} (${process.pid}) : ${text}\n`);
  return {
    alert: (text) => line('[ALERT]', text),
    warning: (text) => {
      if (!opts.quiet) line('[WARNING]', text);
    },
    notice: (text) => {
      if (!opts.quiet) line('[NOTICE]', text);
    },
  };
}

/**
 * Start-up and lifecycle messages in HAProxy's shape (`[ALERT]    (pid) : text`). Never used per request.
 */
export interface MessageSink {
  alert(text: string): void;
  warning(text: string): void;
  notice(text: string): void;
  /**
   * The same message for a proxy's log targets at a syslog level (log-spec.ts), as HAProxy's
   * send_log(proxy, level, …) next to its stderr line; absent: nothing is logged.
   */
  proxyLog?(proxy: string, level: number, text: string): void;
}

/** `messages` whose proxyLog sends to the proxies' loggers (by name). */
export function withProxyLogs(
  messages: MessageSink,
  loggers: ReadonlyMap<string, { send(level: number, text: string): void }>,
): MessageSink {
  if (loggers.size === 0) return messages;
  return {
    alert: (t) => messages.alert(t),
    warning: (t) => messages.warning(t),
    notice: (t) => messages.notice(t),
    proxyLog: (proxy, level, text) => loggers.get(proxy)?.send(level, text),
  };
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

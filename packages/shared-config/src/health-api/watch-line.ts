import { z } from 'zod';
import { type WatchEvent, WatchEventSchema } from './schema.ts';

/** A line of the watch stream that is not a valid event. `line` holds the offending text (truncated). */
export class WatchLineError extends Error {
  readonly code = 'CFG_ERR_HEALTH_WATCH_LINE';
  readonly line: string;
  constructor(message: string, line: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WatchLineError';
    this.line = line.length > 200 ? `${line.slice(0, 200)}…` : line;
  }
}

/**
 * Parses one line of `GET /health/watch` (without or with its trailing `\n`/`\r\n`).
 * Throws WatchLineError on bad JSON or an event that does not match the schema.
 */
export function parseWatchLine(line: string): WatchEvent {
  const text = line.replace(/\r?\n$/, '');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new WatchLineError(`health watch line is not JSON: ${(err as Error).message}`, text, {
      cause: err,
    });
  }
  const parsed = WatchEventSchema.safeParse(json);
  if (!parsed.success) {
    throw new WatchLineError(
      `health watch line is not a valid event: ${z.prettifyError(parsed.error)}`,
      text,
      {
        cause: parsed.error,
      },
    );
  }
  return parsed.data;
}

/** Encodes one event as a watch-stream line (JSON + `\n`); the server side's counterpart of parseWatchLine. */
export function formatWatchLine(event: WatchEvent): string {
  return `${JSON.stringify(event)}\n`;
}

import { loadHaproxyConfig } from '@ha-lb/shared-config/haproxy';
import { checkReport } from '../cli/check.ts';
import { LbError } from '../errors.ts';
import type { MessageSink } from '../log/messages.ts';
import type { EngineConfig } from './engine-config.ts';
import { fromHaproxyConfig } from './from-haproxy.ts';

/**
 * Loads `-f` files through the shared haproxy.cfg model, prints its diagnostics as `-c` does (warnings
 * too: start-up shows what is not in effect), and turns the model into the engine's config. Returns
 * null (after printing the alerts) when the balancer cannot start.
 */
export function loadEngineConfig(
  paths: string[],
  messages: MessageSink,
  io: { stderr: { write(s: string): unknown }; quiet: boolean } = { stderr: process.stderr, quiet: false },
): EngineConfig | null {
  const result = loadHaproxyConfig(paths, { env: process.env });
  const report = checkReport(result.diagnostics, process.pid);
  for (const line of report.stderr) {
    if (line === 'Warnings were found.') continue;
    if (io.quiet && !line.includes('[ALERT]')) continue;
    io.stderr.write(`${line}\n`);
  }
  if (!report.valid || result.config === null) return null;
  try {
    return fromHaproxyConfig(result.config);
  } catch (err) {
    if (err instanceof LbError) {
      messages.alert(err.message);
      return null;
    }
    throw err;
  }
}

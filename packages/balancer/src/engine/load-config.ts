import { LbError } from '../errors.ts';
import type { MessageSink } from '../log/messages.ts';
import type { EngineConfig } from './engine-config.ts';
import { fromHaproxyConfig } from './from-haproxy.ts';

interface HaproxyModule {
  loadHaproxyConfig(
    paths: string[],
    opts?: { env?: NodeJS.ProcessEnv },
  ): { config: unknown; diagnostics: { severity: string }[] };
  formatHaproxyDiagnostic(d: unknown): string;
}

/**
 * Loads `-f` files through the shared haproxy.cfg model, prints its diagnostics like `-c` does, and turns
 * the model into the engine's config. Returns null (after printing an alert) when it cannot start.
 */
export async function loadEngineConfig(paths: string[], messages: MessageSink): Promise<EngineConfig | null> {
  let mod: HaproxyModule;
  try {
    const spec = '@ha-lb/shared-config/haproxy';
    mod = (await import(spec)) as HaproxyModule;
  } catch (err) {
    messages.alert(`the haproxy.cfg reader is not available in this build: ${(err as Error).message}`);
    return null;
  }
  const result = mod.loadHaproxyConfig(paths, { env: process.env });
  for (const d of result.diagnostics) {
    const text = mod.formatHaproxyDiagnostic(d);
    process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  }
  if (!result.config) {
    messages.alert('Fatal errors found in configuration.');
    return null;
  }
  try {
    return fromHaproxyConfig(result.config as never);
  } catch (err) {
    if (err instanceof LbError) {
      messages.alert(err.message);
      return null;
    }
    throw err;
  }
}

import { ScriptCommandError, splitScriptCommand } from '@ha-lb/shared-config/keepalived';
import { HaError } from '../errors.ts';

/** A script command that cannot run: it does not split (see splitScriptCommand) or it is blank. */
export class CommandLineError extends HaError {
  constructor(message: string) {
    super('HA_ERR_NOTIFY', message);
    this.name = 'CommandLineError';
  }
}

/**
 * The argv of a `script` / `notify*` command. How the string splits is the config language's business
 * (shared-config's splitScriptCommand, keepalived's rules); here only that there is something to run.
 */
export function parseCommandLine(src: string): string[] {
  let argv: string[];
  try {
    argv = splitScriptCommand(src);
  } catch (err) {
    if (err instanceof ScriptCommandError) throw new CommandLineError(err.message);
    throw err;
  }
  if (argv.length === 0) throw new CommandLineError('empty script command');
  return argv;
}

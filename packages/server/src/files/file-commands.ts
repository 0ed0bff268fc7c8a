import type { Command } from 'commander';
import type { CliContext } from '../cli/cli-context.ts';
import { registerJanitorCommands } from './janitor/janitor-commands.ts';
import { registerLifecycleCommands } from './janitor/lifecycle-commands.ts';
import { registerPurposeCommands } from './purposes/purpose-commands.ts';

/** `guichet files ...`: purposes, and the upload janitor. */
export function registerFileCommands(program: Command, cli: CliContext): void {
  const files = program.command('files').description('validated uploads: purposes, janitor, S3 lifecycle');
  registerPurposeCommands(files, cli);
  registerJanitorCommands(files, cli);
  registerLifecycleCommands(files, cli);
}

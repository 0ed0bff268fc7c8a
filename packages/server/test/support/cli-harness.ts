import { Command } from 'commander';
import { createAdminClient } from '../../src/cli/admin-client.ts';
import type { CliContext } from '../../src/cli/cli-context.ts';
import type { ServerContext } from '../../src/runtime/server-context.ts';

/** How a domain adds its commands to the `guichet` program (registerClientCommands and the like). */
export type RegisterCommands = (program: Command, cli: CliContext) => void;

/** Runs `guichet <args>` with the given way to reach the data and standard input; returns what it printed. */
export type Guichet = (args: string[], run: CliContext['run'], stdin?: string) => Promise<string>;

/** A `guichet` that knows the commands `register` adds, and prints nothing of Commander's own. */
export function guichetWith(register: RegisterCommands): Guichet {
  return async (args, run, stdin = '') => {
    const lines: string[] = [];
    const program = new Command('guichet')
      .exitOverride()
      .configureOutput({ writeErr: () => {}, writeOut: () => {} });
    register(program, { run, print: (line) => lines.push(line), readStdin: async () => stdin });
    await program.parseAsync(args, { from: 'user' });
    return lines.join('\n');
  };
}

/** Runs each operation on the data itself, as `guichet` does on the server's own machine. */
export function onTheData(context: () => ServerContext): CliContext['run'] {
  return (operation) => operation.local(context());
}

/** Runs each operation through the admin API at `serverUrl`; the bare routes under test check no token. */
export function throughTheAdminApi(serverUrl: () => string): CliContext['run'] {
  return (operation) => operation.remote(createAdminClient(serverUrl(), 'unused-in-this-test'));
}

/**
 * The same commands, once on the data itself and once through the admin API of a running server. Both
 * are read when a command runs, so they may be set in a `before` hook.
 */
export function ways(
  context: () => ServerContext,
  serverUrl: () => string,
): Array<[string, CliContext['run']]> {
  return [
    ['local', onTheData(context)],
    ['remote', throughTheAdminApi(serverUrl)],
  ];
}

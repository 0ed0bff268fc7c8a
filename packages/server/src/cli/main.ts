import { Command, Option } from 'commander';
import { registerUserCommands } from '../accounts/user-commands.ts';
import { registerBusinessCommands } from '../businesses/business-commands.ts';
import { registerClientCommands } from '../clients/client-commands.ts';
import { ConfigError, loadConfig } from '../config/config.ts';
import { registerFileCommands } from '../files/file-commands.ts';
import { registerKeyCommands } from '../keys/key-commands.ts';
import { migrateToLatest } from '../ports/sql/migrate.ts';
import { registerResourceCommands } from '../resources/resource-commands.ts';
import { startServer } from '../runtime/start-server.ts';
import { createCliContext } from './cli-context.ts';

function fail(error: unknown): never {
  if (error instanceof ConfigError) {
    for (const line of error.problems) process.stderr.write(`${line}\n`);
  } else {
    process.stderr.write(`guichet: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  process.exit(1);
}

export function buildCli(): Command {
  const program = new Command('guichet')
    .description('Guichet: single sign-on, private tokens, business context and validated uploads')
    .addOption(new Option('--server <url>', 'administer a running server through its admin API'))
    .addOption(new Option('--token <token>', 'admin token for --server').env('GUICHET_ADMIN_TOKEN'))
    .showHelpAfterError();
  const cli = createCliContext(program);

  program
    .command('start')
    .description('start the server (configuration from environment variables)')
    .action(async () => {
      const server = await startServer(loadConfig());
      let stopping = false;
      const shutdown = (signal: string) => {
        // npm and the terminal both pass a signal on, so it often arrives twice: the first one
        // starts the graceful stop, repeats must not cut it short.
        if (stopping) return;
        stopping = true;
        server.app.log.info({ signal }, 'shutting down');
        server.stop().then(
          () => process.exit(0),
          (error: unknown) => fail(error),
        );
      };
      process.on('SIGTERM', () => shutdown('SIGTERM'));
      process.on('SIGINT', () => shutdown('SIGINT'));
    });

  program
    .command('migrate')
    .description('apply pending database migrations')
    .action(async () => {
      const applied = await cli.run({
        remote: async (client) =>
          (await client.request<{ applied: string[] }>('POST', '/migrations')).applied,
        local: ({ ports }) => migrateToLatest(ports.sql),
        skipMigrations: true,
      });
      cli.print(applied.length === 0 ? 'database is up to date' : `applied: ${applied.join(', ')}`);
    });

  registerUserCommands(program, cli);
  registerClientCommands(program, cli);
  registerKeyCommands(program, cli);
  registerBusinessCommands(program, cli);
  registerResourceCommands(program, cli);
  registerFileCommands(program, cli);
  return program;
}

export async function runCli(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (error) {
    fail(error);
  }
}

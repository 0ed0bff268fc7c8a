import type { Command } from 'commander';
import { loadConfig } from '../config/config.ts';
import { type AdminOperation, type RemoteOptions, runAdminOperation } from './admin-access.ts';

/** What a domain's CLI commands get: a way to run an operation wherever the data is, and output. */
export interface CliContext {
  run<T>(operation: AdminOperation<T>): Promise<T>;
  /** Writes a line to standard output. */
  print(line: string): void;
  /** Reads all of standard input (for passwords and secrets that must not be arguments). */
  readStdin(): Promise<string>;
}

export function createCliContext(program: Command): CliContext {
  return {
    run: (operation) => runAdminOperation(loadConfig(), program.opts<RemoteOptions>(), operation),
    print: (line) => {
      process.stdout.write(`${line}\n`);
    },
    async readStdin() {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}

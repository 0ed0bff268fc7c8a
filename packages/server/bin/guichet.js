#!/usr/bin/env node
import module from 'node:module';

// Reuses compiled code across runs: every CLI command and server start skips recompiling (and
// type-stripping) the same few hundred modules.
module.enableCompileCache?.();
const { runCli } = await import('../src/cli/main.ts');
await runCli(process.argv);

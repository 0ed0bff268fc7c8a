// Regenerates docs/cli.md from the CLI's own definitions.
import { writeFile } from 'node:fs/promises';
import { cliReference } from '../packages/server/src/cli/cli-reference.ts';
import { buildCli } from '../packages/server/src/cli/main.ts';

await writeFile(new URL('../docs/cli.md', import.meta.url), cliReference(buildCli()));
process.stdout.write('wrote docs/cli.md\n');

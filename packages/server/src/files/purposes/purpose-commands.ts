import { type Command, InvalidArgumentError } from 'commander';
import type { CliContext } from '../../cli/cli-context.ts';
import type { VariantSpec } from '../files-tables.ts';
import type { Purpose } from './purpose.ts';
import {
  type PurposeInput,
  parseByteSize,
  parsePixelCount,
  parseVariant,
  toPurpose,
} from './purpose-input.ts';
import { deletePurpose, listPurposes, requirePurpose, savePurpose } from './purpose-store.ts';

/** Turns a domain parse error into commander's usage error, so it prints with the command's help hint. */
function asArgument<T>(parse: (text: string) => T): (text: string) => T {
  return (text) => {
    try {
      return parse(text);
    } catch (error) {
      throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
    }
  };
}

function positiveCount(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1) throw new InvalidArgumentError('expected a positive integer');
  return value;
}

function collectVariant(text: string, previous: VariantSpec[] | undefined): VariantSpec[] {
  return [...(previous ?? []), asArgument(parseVariant)(text)];
}

interface SetOptions {
  types: string;
  maxBytes: number;
  maxCount: number;
  maxPixels?: number;
  maxWidth?: number;
  maxHeight?: number;
  variant?: VariantSpec[];
}

function purposePath(name: string): string {
  return `/file-purposes/${encodeURIComponent(name)}`;
}

/** `guichet files purposes ...`: the rules uploads must pass, per purpose. */
export function registerPurposeCommands(files: Command, cli: CliContext): void {
  const purposes = files
    .command('purposes')
    .description('manage file purposes: accepted types, sizes, counts, variants');

  purposes
    .command('set')
    .description('create or replace a purpose; prints it as JSON')
    .argument('<name>', 'purpose name, e.g. product-image')
    .requiredOption('--types <types>', 'accepted media types, comma-separated (sniffed from the bytes)')
    .requiredOption('--max-bytes <size>', 'largest file, e.g. 10MB or 512KiB', asArgument(parseByteSize))
    .option('--max-count <n>', 'most files of this purpose in one commit', positiveCount, 1)
    .option('--max-pixels <count>', 'images: most pixels, e.g. 40M', asArgument(parsePixelCount))
    .option('--max-width <px>', 'images: widest accepted', positiveCount)
    .option('--max-height <px>', 'images: tallest accepted', positiveCount)
    .option(
      '--variant <spec>',
      'image variant NAME:WxH[:fit][:format], e.g. thumb:320x320 (repeatable)',
      collectVariant,
    )
    .action(async (name: string, options: SetOptions) => {
      const input: PurposeInput = {
        types: options.types.split(',').filter((type) => type.trim() !== ''),
        maxBytes: options.maxBytes,
        maxCount: options.maxCount,
        maxPixels: options.maxPixels ?? null,
        maxWidth: options.maxWidth ?? null,
        maxHeight: options.maxHeight ?? null,
        variants: options.variant ?? [],
      };
      // Checked here too, so a mistake is reported before any server is contacted.
      const purpose = toPurpose(name, input);
      const saved = await cli.run<Purpose>({
        remote: (client) => client.request('PUT', purposePath(name), input),
        local: ({ ports }) => savePurpose(ports.sql, purpose),
      });
      cli.print(JSON.stringify(saved, null, 2));
    });

  purposes
    .command('list')
    .description('list purposes as a JSON array')
    .action(async () => {
      const all = await cli.run<Purpose[]>({
        remote: (client) => client.request('GET', '/file-purposes'),
        local: ({ ports }) => listPurposes(ports.sql),
      });
      cli.print(JSON.stringify(all, null, 2));
    });

  purposes
    .command('show')
    .description('print one purpose as JSON')
    .argument('<name>', 'purpose name')
    .action(async (name: string) => {
      const purpose = await cli.run<Purpose>({
        remote: (client) => client.request('GET', purposePath(name)),
        local: ({ ports }) => requirePurpose(ports.sql, name),
      });
      cli.print(JSON.stringify(purpose, null, 2));
    });

  purposes
    .command('delete')
    .description('delete a purpose (files already committed under it stay)')
    .argument('<name>', 'purpose name')
    .action(async (name: string) => {
      await cli.run<void>({
        remote: async (client) => {
          await client.request('DELETE', purposePath(name));
        },
        local: ({ ports }) => deletePurpose(ports.sql, name),
      });
      cli.print(`deleted purpose ${name}`);
    });
}

import { type Command, InvalidArgumentError } from 'commander';
import type { CliContext } from '../cli/cli-context.ts';
import { type RotationResult, rotateSigningKeys } from './rotate-signing-keys.ts';
import { defaultKeepPreviousSeconds, maxKeepPreviousSeconds } from './rotation-window.ts';
import { isRsaModulusLength, type RsaModulusLength, rsaModulusLengths } from './signing-algorithms.ts';
import { listSigningKeys, type SigningKeyView } from './signing-key-view.ts';

interface RotateOptions {
  keepPrevious: number;
  rsaBits?: RsaModulusLength;
}

function parseSeconds(value: string): number {
  const seconds = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(seconds) || seconds > maxKeepPreviousSeconds) {
    throw new InvalidArgumentError(`expected a whole number of seconds from 0 to ${maxKeepPreviousSeconds}`);
  }
  return seconds;
}

function parseRsaBits(value: string): RsaModulusLength {
  const bits = Number(value);
  if (!/^\d+$/.test(value) || !isRsaModulusLength(bits)) {
    throw new InvalidArgumentError(`expected one of ${rsaModulusLengths.join(', ')}`);
  }
  return bits;
}

function printJson(cli: CliContext, value: unknown): void {
  cli.print(JSON.stringify(value, null, 2));
}

/** `guichet keys ...`: inspect and rotate the keys that sign ID tokens and other JWTs. */
export function registerKeyCommands(program: Command, cli: CliContext): void {
  const keys = program.command('keys').description('manage the token signing keys');

  keys
    .command('list')
    .description('list the signing keys as JSON (kid, algorithm, state, dates; never key material)')
    .action(async () => {
      const list = await cli.run<SigningKeyView[]>({
        remote: async (client) => (await client.request<{ keys: SigningKeyView[] }>('GET', '/keys')).keys,
        local: (context) => listSigningKeys(context.ports.sql),
      });
      printJson(cli, list);
    });

  keys
    .command('rotate')
    .description(
      'give every algorithm a new signing key; the old ones stop signing but stay published for ' +
        '--keep-previous seconds, then are retired. Running servers pick the new keys up without a restart',
    )
    .option(
      '--keep-previous <seconds>',
      `how long the old keys stay in the JWKS: the longest lifetime of a token they signed (ID token, ` +
        `one hour) plus a 10 minute margin for clock skew and instances still catching up`,
      parseSeconds,
      defaultKeepPreviousSeconds,
    )
    .option(
      '--rsa-bits <bits>',
      `size of the new RS256 key (${rsaModulusLengths.join(' or ')}; default: that of the current one)`,
      parseRsaBits,
    )
    .action(async (options: RotateOptions) => {
      const body = {
        keepPreviousForSeconds: options.keepPrevious,
        ...(options.rsaBits === undefined ? {} : { rsaModulusLength: options.rsaBits }),
      };
      const result = await cli.run<RotationResult>({
        remote: (client) => client.request('POST', '/keys/rotate', body),
        local: (context) => rotateSigningKeys(context, body),
      });
      printJson(cli, result);
    });
}

import { type Command, InvalidArgumentError } from 'commander';
import type { CliContext } from '../cli/cli-context.ts';
import { type AccessTokenFormat, accessTokenFormats, isAccessTokenFormat } from './access-token-format.ts';
import { readEncryptionKeyArgument } from './encryption-key-argument.ts';
import type { ResourceServerInput } from './resource-server-input.ts';
import {
  createResourceServer,
  deleteResourceServer,
  getResourceServer,
  listResourceServers,
} from './resource-server-store.ts';
import type { ResourceServerView } from './resource-server-view.ts';

interface CreateOptions {
  audience: string;
  format: AccessTokenFormat;
  encryptionKey?: string;
  encryptionAlg?: string;
  encryptionEnc?: string;
  scope: string[];
  ttl?: number;
  name?: string;
}

/** Commander calls this once per occurrence, so an option can be repeated. */
function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parseFormat(value: string): AccessTokenFormat {
  if (!isAccessTokenFormat(value)) {
    throw new InvalidArgumentError(`expected one of ${accessTokenFormats.join(', ')}`);
  }
  return value;
}

function parseSeconds(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number of seconds');
  return Number(value);
}

async function inputFrom(options: CreateOptions): Promise<ResourceServerInput> {
  return {
    audience: options.audience,
    format: options.format,
    ...(options.name === undefined ? {} : { name: options.name }),
    ...(options.scope.length === 0 ? {} : { scopes: options.scope }),
    ...(options.ttl === undefined ? {} : { accessTokenTtl: options.ttl }),
    ...(options.encryptionKey === undefined
      ? {}
      : { encryptionKey: await readEncryptionKeyArgument(options.encryptionKey) }),
    ...(options.encryptionAlg === undefined ? {} : { encryptionAlg: options.encryptionAlg }),
    ...(options.encryptionEnc === undefined ? {} : { encryptionEnc: options.encryptionEnc }),
  };
}

function noSuchResourceServer(audience: string): Error {
  return new Error(`no resource server with audience ${audience}`);
}

function printJson(cli: CliContext, value: unknown): void {
  cli.print(JSON.stringify(value, null, 2));
}

function audiencePath(audience: string): string {
  return `/resources/${encodeURIComponent(audience)}`;
}

/** `guichet resources ...`: register, inspect and remove the APIs that accept Guichet access tokens. */
export function registerResourceCommands(program: Command, cli: CliContext): void {
  const resources = program
    .command('resources')
    .description('manage resource servers: the APIs that accept access tokens, and how their tokens look');

  resources
    .command('create')
    .description('register a resource server; prints it as JSON')
    .requiredOption('--audience <uri>', 'the resource indicator clients ask for (https, or http on loopback)')
    .requiredOption(
      '--format <format>',
      'opaque (introspected), jwt (RFC 9068, readable) or jwe (encrypted to --encryption-key)',
      parseFormat,
    )
    .option(
      '--encryption-key <jwk-or-file>',
      "the resource server's PUBLIC JWK, as JSON or a file holding it",
    )
    .option(
      '--encryption-alg <alg>',
      'key management algorithm (default ECDH-ES+A256KW, RSA-OAEP-256 for RSA)',
    )
    .option('--encryption-enc <enc>', 'content encryption (default A256GCM)')
    .option('--scope <scope>', 'a scope this resource server accepts; repeatable', collect, [])
    .option('--ttl <seconds>', 'access token lifetime, 60 to 86400 (default 600)', parseSeconds)
    .option('--name <name>', 'a name for people reading the list')
    .action(async (options: CreateOptions) => {
      const input = await inputFrom(options);
      const created = await cli.run<ResourceServerView>({
        remote: (client) => client.request('POST', '/resources', input),
        local: (context) => createResourceServer(context, input),
      });
      printJson(cli, created);
    });

  resources
    .command('list')
    .description('list the resource servers as JSON')
    .action(async () => {
      const list = await cli.run<ResourceServerView[]>({
        remote: async (client) =>
          (await client.request<{ resources: ResourceServerView[] }>('GET', '/resources')).resources,
        local: (context) => listResourceServers(context),
      });
      printJson(cli, list);
    });

  resources
    .command('show')
    .description('show one resource server as JSON')
    .argument('<audience>', 'its audience URI')
    .action(async (audience: string) => {
      const shown = await cli.run<ResourceServerView>({
        remote: (client) => client.request('GET', audiencePath(audience)),
        local: async (context) => {
          const found = await getResourceServer(context, audience);
          if (found === undefined) throw noSuchResourceServer(audience);
          return found;
        },
      });
      printJson(cli, shown);
    });

  resources
    .command('delete')
    .description('delete a resource server; no new token is issued for it')
    .argument('<audience>', 'its audience URI')
    .action(async (audience: string) => {
      await cli.run<void>({
        remote: (client) => client.request('DELETE', audiencePath(audience)),
        local: async (context) => {
          if (!(await deleteResourceServer(context, audience))) throw noSuchResourceServer(audience);
        },
      });
      cli.print(`deleted resource server ${audience}`);
    });
}

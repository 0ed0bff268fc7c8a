import type { Command } from 'commander';
import type { CliContext } from '../cli/cli-context.ts';
import { readEncryptionKeyArgument } from '../resources/encryption-key-argument.ts';
import type { ClientInput } from './client-input.ts';
import { createClient, deleteClient, getClient, listClients, rotateClientSecret } from './client-store.ts';
import type { ClientView, ClientWithSecret } from './client-view.ts';

interface CreateOptions {
  name: string;
  redirectUri: string[];
  public?: boolean;
  service?: boolean;
  postLogoutRedirectUri: string[];
  backchannelLogoutUri?: string;
  firstParty?: boolean;
  pairwise?: boolean;
  idTokenEncryptionKey?: string;
}

/** Commander calls this once per occurrence, so an option can be repeated. */
function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

async function inputFrom(options: CreateOptions): Promise<ClientInput> {
  return {
    name: options.name,
    redirectUris: options.redirectUri,
    postLogoutRedirectUris: options.postLogoutRedirectUri,
    ...(options.public ? { public: true } : {}),
    ...(options.service ? { service: true } : {}),
    ...(options.backchannelLogoutUri === undefined
      ? {}
      : { backchannelLogoutUri: options.backchannelLogoutUri }),
    ...(options.firstParty ? { firstParty: true } : {}),
    ...(options.pairwise ? { pairwise: true } : {}),
    ...(options.idTokenEncryptionKey === undefined
      ? {}
      : { idTokenEncryptionKey: await readEncryptionKeyArgument(options.idTokenEncryptionKey) }),
  };
}

function noSuchClient(id: string): Error {
  return new Error(`no client with id ${id}`);
}

function printJson(cli: CliContext, value: unknown): void {
  cli.print(JSON.stringify(value, null, 2));
}

/** `guichet clients ...`: register, inspect, remove OpenID Connect clients and rotate their secrets. */
export function registerClientCommands(program: Command, cli: CliContext): void {
  const clients = program
    .command('clients')
    .description('manage OpenID Connect clients (relying parties and services)');

  clients
    .command('create')
    .description('register a client; prints it as JSON, with its secret, which is shown only this once')
    .requiredOption('--name <name>', 'name shown to people on sign-in and consent pages')
    .option(
      '--redirect-uri <uri>',
      'exact redirect URI (https, or http on a loopback host); repeatable',
      collect,
      [],
    )
    .option('--public', 'browser or native app without a secret (PKCE only)')
    .option('--service', 'machine-to-machine client (client credentials, no redirect URIs)')
    .option(
      '--post-logout-redirect-uri <uri>',
      'where to send people after signing out; repeatable',
      collect,
      [],
    )
    .option('--backchannel-logout-uri <uri>', 'endpoint receiving logout tokens')
    .option('--first-party', "one of the company's own apps: no consent page")
    .option('--pairwise', 'a different subject identifier for this client than for others')
    .option(
      '--id-token-encryption-key <jwk-or-file>',
      "the app's public key (JWK, or a file holding one): ID tokens are then encrypted and may carry profile claims",
    )
    .action(async (options: CreateOptions) => {
      const input = await inputFrom(options);
      const created = await cli.run<ClientWithSecret>({
        remote: (client) => client.request('POST', '/clients', input),
        local: (context) => createClient(context, input),
      });
      printJson(cli, created);
    });

  clients
    .command('list')
    .description('list the clients as JSON (without secrets)')
    .action(async () => {
      const list = await cli.run<ClientView[]>({
        remote: async (client) =>
          (await client.request<{ clients: ClientView[] }>('GET', '/clients')).clients,
        local: (context) => listClients(context),
      });
      printJson(cli, list);
    });

  clients
    .command('show')
    .description('show one client as JSON (without its secret)')
    .argument('<id>', 'client id')
    .action(async (id: string) => {
      const shown = await cli.run<ClientView>({
        remote: (client) => client.request('GET', `/clients/${encodeURIComponent(id)}`),
        local: async (context) => {
          const found = await getClient(context, id);
          if (found === undefined) throw noSuchClient(id);
          return found;
        },
      });
      printJson(cli, shown);
    });

  clients
    .command('delete')
    .description('delete a client; its tokens stop working')
    .argument('<id>', 'client id')
    .action(async (id: string) => {
      await cli.run<void>({
        remote: (client) => client.request('DELETE', `/clients/${encodeURIComponent(id)}`),
        local: async (context) => {
          if (!(await deleteClient(context, id))) throw noSuchClient(id);
        },
      });
      cli.print(`deleted client ${id}`);
    });

  clients
    .command('rotate-secret')
    .description('give a client a new secret, printed once as JSON; the old one stops working')
    .argument('<id>', 'client id')
    .action(async (id: string) => {
      const rotated = await cli.run<ClientWithSecret>({
        remote: (client) => client.request('POST', `/clients/${encodeURIComponent(id)}/rotate-secret`),
        local: async (context) => {
          const result = await rotateClientSecret(context, id);
          if (result === undefined) throw noSuchClient(id);
          return result;
        },
      });
      printJson(cli, rotated);
    });
}

import { ClientInputError } from './client-errors.ts';
import type { ClientKind } from './client-metadata.ts';
import { checkClientUri } from './client-uri-rules.ts';

/** What an operator gives to register a client; mirrors `guichet clients create`. */
export interface ClientInput {
  name: string;
  redirectUris: string[];
  public?: boolean;
  service?: boolean;
  postLogoutRedirectUris?: string[];
  backchannelLogoutUri?: string;
  firstParty?: boolean;
  pairwise?: boolean;
  /** A public JWK: ID tokens are then encrypted to it and may carry the person's profile claims. */
  idTokenEncryptionKey?: object;
}

/** A client input that passed every check, normalised (trimmed name, duplicates removed). */
export interface ValidClientInput {
  name: string;
  kind: ClientKind;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  backchannelLogoutUri: string | undefined;
  firstParty: boolean;
  pairwise: boolean;
}

export const maxClientNameLength = 100;
export const maxClientUris = 20;

function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > maxClientNameLength) {
    throw new ClientInputError(`name must be 1 to ${maxClientNameLength} characters`);
  }
  if (/\p{Cc}/u.test(trimmed)) throw new ClientInputError('name must not contain control characters');
  return trimmed;
}

function kindOf(input: ClientInput): ClientKind {
  if (input.service && input.public) {
    throw new ClientInputError(
      'a client cannot be both service and public: a service client authenticates with its secret',
    );
  }
  if (input.service) return 'service';
  return input.public ? 'public' : 'confidential';
}

function checkUriList(label: string, uris: string[]): string[] {
  if (uris.length > maxClientUris) throw new ClientInputError(`at most ${maxClientUris} ${label}s`);
  for (const uri of uris) checkClientUri(label, uri);
  return [...new Set(uris)];
}

/** A service client acts for itself, through client credentials: nothing about people or browsers applies. */
function checkServiceHasNoBrowserParts(input: ClientInput): void {
  if (input.redirectUris.length > 0) {
    throw new ClientInputError('a service client uses client credentials and takes no redirect URIs');
  }
  if ((input.postLogoutRedirectUris?.length ?? 0) > 0 || input.backchannelLogoutUri !== undefined) {
    throw new ClientInputError(
      'a service client has no sign-in sessions: it takes no post-logout redirect URI or back-channel logout URI',
    );
  }
  if (input.pairwise) {
    throw new ClientInputError(
      'a service client acts for itself, not for a person: pairwise subjects do not apply',
    );
  }
}

/**
 * Pairwise subjects are per sector; without a sector_identifier_uri oidc-provider takes the sector from
 * the redirect URIs' host (with port), so they must all share one.
 */
function checkPairwiseSector(redirectUris: string[]): void {
  const hosts = [...new Set(redirectUris.map((uri) => new URL(uri).host))];
  if (hosts.length > 1) {
    throw new ClientInputError(
      `a pairwise client needs all its redirect URIs on one host, found ${hosts.join(', ')}: register one client per host`,
    );
  }
}

/** Checks an input against Guichet's client policy (RFC 9700, RFC 8252); throws ClientInputError. */
export function validateClientInput(input: ClientInput): ValidClientInput {
  const name = checkName(input.name);
  const kind = kindOf(input);
  if (kind === 'service') checkServiceHasNoBrowserParts(input);
  const redirectUris = checkUriList('redirect URI', input.redirectUris);
  if (kind !== 'service' && redirectUris.length === 0) {
    throw new ClientInputError('at least one redirect URI is required (only a service client has none)');
  }
  const postLogoutRedirectUris = checkUriList('post-logout redirect URI', input.postLogoutRedirectUris ?? []);
  if (input.backchannelLogoutUri !== undefined) {
    checkClientUri('back-channel logout URI', input.backchannelLogoutUri);
  }
  const pairwise = input.pairwise === true;
  if (pairwise) checkPairwiseSector(redirectUris);
  return {
    name,
    kind,
    redirectUris,
    postLogoutRedirectUris,
    backchannelLogoutUri: input.backchannelLogoutUri,
    firstParty: input.firstParty === true,
    pairwise,
  };
}

import {
  type AccessTokenFormat,
  accessTokenFormats,
  defaultAccessTokenTtl,
  isAccessTokenFormat,
  maxAccessTokenTtl,
  minAccessTokenTtl,
} from './access-token-format.ts';
import { checkEncryptionKey, type EncryptionKey } from './encryption-key.ts';
import { checkAudience } from './resource-audience.ts';
import { checkResourceScopes } from './resource-scopes.ts';
import { ResourceServerInputError } from './resource-server-errors.ts';

/** What an operator gives to register a resource server; mirrors `guichet resources create`. */
export interface ResourceServerInput {
  audience: string;
  format: AccessTokenFormat;
  name?: string;
  scopes?: string[];
  /** Seconds. */
  accessTokenTtl?: number;
  /** The resource server's PUBLIC JWK; required for, and only for, format jwe. */
  encryptionKey?: object;
  encryptionAlg?: string;
  encryptionEnc?: string;
}

/** A resource server input that passed every check, normalised. */
export interface ValidResourceServerInput {
  audience: string;
  name: string | null;
  format: AccessTokenFormat;
  scopes: string[];
  accessTokenTtl: number;
  encryption: EncryptionKey | undefined;
}

export const maxResourceServerNameLength = 100;

function checkName(name: unknown): string | null {
  if (name === undefined) return null;
  const trimmed = typeof name === 'string' ? name.trim() : '';
  if (trimmed.length === 0 || trimmed.length > maxResourceServerNameLength) {
    throw new ResourceServerInputError(`name must be 1 to ${maxResourceServerNameLength} characters`);
  }
  if (/\p{Cc}/u.test(trimmed)) throw new ResourceServerInputError('name must not contain control characters');
  return trimmed;
}

function checkFormat(format: unknown): AccessTokenFormat {
  if (!isAccessTokenFormat(format)) {
    throw new ResourceServerInputError(
      `format must be one of ${accessTokenFormats.join(', ')}; got ${JSON.stringify(format)}`,
    );
  }
  return format;
}

function checkTtl(ttl: unknown): number {
  if (ttl === undefined) return defaultAccessTokenTtl;
  if (
    typeof ttl !== 'number' ||
    !Number.isInteger(ttl) ||
    ttl < minAccessTokenTtl ||
    ttl > maxAccessTokenTtl
  ) {
    throw new ResourceServerInputError(
      `access token TTL must be a whole number of seconds from ${minAccessTokenTtl} to ${maxAccessTokenTtl}`,
    );
  }
  return ttl;
}

/** Only JWE tokens are encrypted: a key given for another format is a mistake worth pointing out. */
async function checkEncryption(
  format: AccessTokenFormat,
  input: ResourceServerInput,
): Promise<EncryptionKey | undefined> {
  const given = input.encryptionKey !== undefined;
  if (format !== 'jwe') {
    if (given || input.encryptionAlg !== undefined || input.encryptionEnc !== undefined) {
      throw new ResourceServerInputError(
        `format ${format} tokens are not encrypted: an encryption key, alg or enc applies to format jwe only`,
      );
    }
    return undefined;
  }
  if (!given) {
    throw new ResourceServerInputError(
      "format jwe needs the resource server's public encryption key (a JWK): tokens are encrypted to it",
    );
  }
  return checkEncryptionKey(input.encryptionKey, { alg: input.encryptionAlg, enc: input.encryptionEnc });
}

/** Checks an input against Guichet's resource server policy; throws ResourceServerInputError. */
export async function validateResourceServerInput(
  input: ResourceServerInput,
): Promise<ValidResourceServerInput> {
  const audience = checkAudience(input.audience);
  const format = checkFormat(input.format);
  return {
    audience,
    name: checkName(input.name),
    format,
    scopes: checkResourceScopes(input.scopes),
    accessTokenTtl: checkTtl(input.accessTokenTtl),
    encryption: await checkEncryption(format, input),
  };
}

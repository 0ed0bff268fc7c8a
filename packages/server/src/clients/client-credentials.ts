import { randomBytes } from 'node:crypto';
import { deriveKey } from '../secrets/master-key.ts';
import { createSecretBox, type SecretBox } from '../secrets/secret-box.ts';

/** deriveKey() purpose of the key that seals client secrets. */
export const clientSecretPurpose = 'clients/secret';

const idAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const idLength = 24;

/**
 * A random, unguessable client id (24 characters of 62, about 143 bits). Letters and digits only, so
 * it is URL-safe and never starts with '-', which a command line would take for an option.
 */
export function newClientId(): string {
  let id = '';
  while (id.length < idLength) {
    for (const byte of randomBytes(idLength)) {
      // 248 = 4 * 62: rejecting the bytes above keeps every character equally likely.
      if (byte < 248 && id.length < idLength) id += idAlphabet[byte % 62];
    }
  }
  return id;
}

/** 32 random bytes, base64url: what the client presents at the token endpoint. */
export function newClientSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** The associated data that binds a sealed secret to its client, so it cannot be copied to another. */
function secretContext(clientId: string): string {
  return `client:${clientId}`;
}

function clientSecretBox(masterKey: string): SecretBox {
  return createSecretBox(deriveKey(masterKey, clientSecretPurpose));
}

export function sealClientSecret(masterKey: string, clientId: string, secret: string): string {
  return clientSecretBox(masterKey).seal(secret, secretContext(clientId));
}

/** Throws when the sealed value was not sealed for this client under this master key. */
export function openClientSecret(masterKey: string, clientId: string, sealed: string): string {
  try {
    return clientSecretBox(masterKey).open(sealed, secretContext(clientId));
  } catch (error) {
    throw new Error(`the secret of client ${clientId} cannot be opened: was the master key changed?`, {
      cause: error,
    });
  }
}

import { CompactEncrypt, importJWK } from 'jose';
import type { EncryptionKey } from './encryption-key.ts';
import type { ResourceServerForToken } from './resource-server-for-token.ts';

/** header.payload.signature, all three present: a signed JWT, never an unsecured (alg none) one. */
const compactJws = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

type ImportedKey = Awaited<ReturnType<typeof importJWK>>;

/*
 * Imported keys, by the (frozen, cached) encryption key they come from: a token request then costs no
 * key import. Weak, so a resource server dropped from the cache takes its key with it.
 */
const importedKeys = new WeakMap<Readonly<EncryptionKey>, Promise<ImportedKey>>();

function importedKeyFor(encryptionKey: Readonly<EncryptionKey>): Promise<ImportedKey> {
  let imported = importedKeys.get(encryptionKey);
  if (imported === undefined) {
    imported = importJWK(encryptionKey.jwk, encryptionKey.alg);
    // A failed import is not remembered: the next token tries again.
    imported.catch(() => importedKeys.delete(encryptionKey));
    importedKeys.set(encryptionKey, imported);
  }
  return imported;
}

/**
 * Encrypts a signed access token to its resource server's public key: a compact JWE only that server can
 * open. The protected header says only how to open it (alg, enc, kid) and that it holds a JWT (cty);
 * unlike oidc-provider's own encryption it does not repeat iss or aud, which would be readable.
 */
export async function encryptAccessToken(options: {
  signedJwt: string;
  resource: Pick<ResourceServerForToken, 'audience' | 'encryptionKey'>;
}): Promise<string> {
  const { signedJwt, resource } = options;
  const { encryptionKey } = resource;
  if (encryptionKey === undefined) {
    throw new TypeError(
      `resource server ${resource.audience} has no encryption key: its tokens are not JWEs`,
    );
  }
  if (typeof signedJwt !== 'string' || !compactJws.test(signedJwt)) {
    throw new TypeError('only a signed JWT in compact form is encrypted into an access token');
  }
  const key = await importedKeyFor(encryptionKey);
  return new CompactEncrypt(new TextEncoder().encode(signedJwt))
    .setProtectedHeader({
      alg: encryptionKey.alg,
      enc: encryptionKey.enc,
      kid: encryptionKey.jwk.kid,
      cty: 'JWT',
    })
    .encrypt(key);
}

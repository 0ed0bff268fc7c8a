import { deriveKey } from '../secrets/master-key.ts';
import { createSecretBox } from '../secrets/secret-box.ts';
import type { PrivateSigningJwk } from './signing-jwk.ts';

/** deriveKey() purpose of the key that seals private signing keys. */
export const signingKeyPurpose = 'keys/signing';

/** Associated data of a sealed key: a sealed value copied onto another row does not open. */
function sealContext(kid: string): string {
  return `signing-key:${kid}`;
}

export class SigningKeyUnreadableError extends Error {
  constructor(kid: string) {
    super(
      `signing key ${kid} cannot be decrypted: the master key (GUICHET_SECRET or the data dir's secret.key) is not the one it was sealed with`,
    );
    this.name = 'SigningKeyUnreadableError';
  }
}

/** Seals and opens private signing keys with a key derived from the master key. */
export interface SigningKeyBox {
  seal(jwk: PrivateSigningJwk): string;
  open(kid: string, sealed: string): PrivateSigningJwk;
}

export function createSigningKeyBox(masterKey: string): SigningKeyBox {
  const box = createSecretBox(deriveKey(masterKey, signingKeyPurpose));
  return {
    seal: (jwk) => box.seal(JSON.stringify(jwk), sealContext(jwk.kid)),
    open(kid, sealed) {
      let plaintext: string;
      try {
        plaintext = box.open(sealed, sealContext(kid));
      } catch {
        // The cause is only "unsupported state or unable to authenticate data"; the kid says more.
        throw new SigningKeyUnreadableError(kid);
      }
      const jwk = JSON.parse(plaintext) as PrivateSigningJwk;
      if (jwk.kid !== kid) throw new SigningKeyUnreadableError(kid);
      return jwk;
    },
  };
}

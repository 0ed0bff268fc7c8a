import { createHmac } from 'node:crypto';

/**
 * Pairwise subject identifiers (OIDC Core 8.1): one stable, unlinkable `sub` per sector, so two
 * unrelated clients cannot correlate a person by subject.
 */
export function pairwiseSubject(key: Buffer, sectorIdentifier: string, accountId: string): string {
  return createHmac('sha256', key).update(`${sectorIdentifier}\n${accountId}`).digest('base64url');
}

/** The realm every challenge of this SDK names. */
export const bearerRealm = 'guichet';

export interface BearerChallenge {
  /** RFC 6750 error code; omitted when the request carried no token at all (section 3.1). */
  error?: 'invalid_token' | 'insufficient_scope';
  /** Human-readable, never echoes request input. */
  description?: string;
  /** Scopes the resource needs, for insufficient_scope. */
  scope?: readonly string[];
}

/**
 * RFC 6750 restricts error_description and scope to printable ASCII without `"` and `\`; anything
 * else is dropped so a header can never be broken or injected.
 */
function quotable(text: string): string {
  return text.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, '');
}

/** The `WWW-Authenticate` value for a Bearer challenge (RFC 6750 section 3). */
export function bearerChallenge(challenge: BearerChallenge = {}): string {
  const parts = [`realm="${bearerRealm}"`];
  if (challenge.error !== undefined) parts.push(`error="${challenge.error}"`);
  if (challenge.description !== undefined) {
    parts.push(`error_description="${quotable(challenge.description)}"`);
  }
  if (challenge.scope !== undefined && challenge.scope.length > 0) {
    parts.push(`scope="${quotable(challenge.scope.join(' '))}"`);
  }
  return `Bearer ${parts.join(', ')}`;
}

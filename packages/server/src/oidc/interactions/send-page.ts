import type { FastifyReply } from 'fastify';
import { contentSecurityPolicy } from '../../pages/content-security-policy.ts';

/**
 * Sends an HTML page of the sign-in flow. `formTargets` are the origins a form post may end up on:
 * browsers apply CSP form-action to the redirects after a post, and the last one goes to the app.
 */
export function sendPage(
  reply: FastifyReply,
  status: number,
  html: string,
  policy: { formTargets?: string[]; logoUrl?: string } = {},
): FastifyReply {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('content-security-policy', contentSecurityPolicy(policy.formTargets, { logoUrl: policy.logoUrl }))
    .header('cache-control', 'no-store')
    .send(html);
}

/** The origins of a client's redirect URIs, where the authorization flow finally lands. */
export function redirectOrigins(redirectUris: readonly string[] | undefined): string[] {
  return [...new Set((redirectUris ?? []).map((uri) => new URL(uri).origin))];
}

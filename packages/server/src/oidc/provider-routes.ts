import type { FastifyInstance } from 'fastify';
import type { ProviderHolder } from './provider-holder.ts';

/** Every path oidc-provider answers at the issuer root (its default routes, PAR and DCR are off). */
export const providerPaths = [
  '/.well-known/openid-configuration',
  '/jwks',
  '/auth',
  '/auth/:uid',
  '/token',
  '/me',
  '/token/introspection',
  '/token/revocation',
  '/session/end',
  '/session/end/confirm',
  '/session/end/success',
] as const;

/**
 * Hands the protocol endpoints to oidc-provider untouched: it parses its own bodies and writes its
 * own responses (OAuth error JSON included), so this plugin only routes and leaves the stream unread.
 */
export async function providerRoutes(
  app: FastifyInstance,
  options: { holder: ProviderHolder },
): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));
  for (const url of providerPaths) {
    app.route({
      method: ['GET', 'POST', 'OPTIONS'],
      url,
      handler: (request, reply) => {
        reply.hijack();
        options.holder.handle(request.raw, reply.raw);
      },
    });
  }
}

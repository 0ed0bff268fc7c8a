import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { authErrorResponse } from './error-response.ts';
import { GuichetAuthError } from './errors.ts';
import type { Guichet, GuichetAuthentication } from './guichet.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling; set by the guichetFastify plugin for every route in its scope. */
    guichet: GuichetAuthentication;
  }
}

export interface GuichetFastifyOptions {
  guichet: Guichet;
  /** Scopes every request in the plugin's scope must carry (403 insufficient_scope otherwise). */
  scopes?: readonly string[];
}

async function plugin(app: FastifyInstance, options: GuichetFastifyOptions): Promise<void> {
  const { guichet } = options;
  const authenticateOptions = options.scopes === undefined ? {} : { scopes: [...options.scopes] };
  // Decorated with null (not an object) so no request ever shares another's authentication.
  if (!app.hasRequestDecorator('guichet')) app.decorateRequest('guichet', null, []);
  app.addHook('onRequest', async (request, reply) => {
    try {
      request.guichet = await guichet.authenticate(request.headers.authorization, authenticateOptions);
    } catch (error) {
      if (!(error instanceof GuichetAuthError)) throw error;
      const response = authErrorResponse(error);
      return reply.code(response.status).headers(response.headers).send(response.body);
    }
  });
}

/*
 * Skipping encapsulation (what fastify-plugin does, without depending on it) applies the hook to the
 * context the plugin is registered in: `app.register(guichetFastify, ...)` then protects the routes
 * declared next to it, never silently none of them.
 */
Object.assign(plugin, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: 'guichet',
});

/**
 * Fastify plugin: an onRequest hook that authenticates every request of the context it is registered
 * in and sets `request.guichet`, or answers 401, 403 or 503 with the RFC 6750 challenge. Register it
 * inside `app.register(async (api) => { ... })` to protect only the routes declared there.
 */
export const guichetFastify: FastifyPluginAsync<GuichetFastifyOptions> = plugin;

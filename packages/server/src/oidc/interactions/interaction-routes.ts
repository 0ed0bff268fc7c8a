import formbody from '@fastify/formbody';
import type { FastifyError, FastifyInstance } from 'fastify';
import { renderError } from '../../pages/error-page.ts';
import { businessRoutes } from './business-routes.ts';
import { consentRoutes } from './consent-routes.ts';
import { InteractionNotFoundError } from './load-interaction.ts';
import { sendPage } from './send-page.ts';
import { type InteractionDependencies, signInRoutes } from './sign-in-routes.ts';
import { signUpRoutes } from './sign-up-routes.ts';

/** The pages between the authorization request and the code: sign-in, sign-up, consent. */
export async function interactionRoutes(app: FastifyInstance, deps: InteractionDependencies): Promise<void> {
  await app.register(formbody, { bodyLimit: 16 * 1024 });

  app.setErrorHandler<FastifyError>((error, request, reply) => {
    const locale = deps.pages.localeOf(request.headers['accept-language']);
    const base = { locale, brand: deps.pages.brand, stylesheetHref: deps.pages.stylesheetHref };
    if (error instanceof InteractionNotFoundError) {
      return sendPage(
        reply,
        400,
        renderError({ ...base, message: error.message, errorCode: 'invalid_request' }),
        {
          logoUrl: deps.pages.brand.logoUrl,
        },
      );
    }
    const status = error.statusCode !== undefined && error.statusCode < 500 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'interaction failed');
    return sendPage(
      reply,
      status,
      renderError({
        ...base,
        message: status >= 500 ? 'server_error' : error.message,
        errorCode: status >= 500 ? 'server_error' : 'invalid_request',
      }),
    );
  });

  await app.register(signInRoutes, deps);
  await app.register(signUpRoutes, deps);
  await app.register(consentRoutes, deps);
  await app.register(businessRoutes, deps);
}

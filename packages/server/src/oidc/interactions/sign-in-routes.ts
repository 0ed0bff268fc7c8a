import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authenticate } from '../../accounts/sign-in.ts';
import { csrfToken, verifyCsrfToken } from '../../pages/csrf.ts';
import { renderSignIn } from '../../pages/sign-in-page.ts';
import type { ServerContext } from '../../runtime/server-context.ts';
import { businessPromptName } from '../business-prompt.ts';
import type { PageKit } from '../page-kit.ts';
import type { ProviderHolder } from '../provider-holder.ts';
import { showBusinessChooser } from './business-routes.ts';
import { approveConsent, isFirstParty, showConsent } from './consent.ts';
import { finishInteraction, type Interaction, loadInteraction } from './load-interaction.ts';
import { interactionParams, signInBody } from './schemas.ts';
import { redirectOrigins, sendPage } from './send-page.ts';
import { signInLimitsOver } from './sign-in-window.ts';

export interface InteractionDependencies {
  holder: ProviderHolder;
  context: ServerContext;
  pages: PageKit;
}

type SignInError = 'invalid_credentials' | 'throttled' | 'csrf';

export async function clientOf(holder: ProviderHolder, interaction: Interaction) {
  const clientId = String(interaction.params.client_id);
  return holder.current.Client.find(clientId);
}

async function showSignIn(
  deps: InteractionDependencies,
  request: FastifyRequest,
  reply: FastifyReply,
  interaction: Interaction,
  outcome: { status: number; email?: string; error?: SignInError; retryAfterSeconds?: number } = {
    status: 200,
  },
): Promise<FastifyReply> {
  const client = await clientOf(deps.holder, interaction);
  const html = renderSignIn({
    locale: deps.pages.localeOf(request.headers['accept-language']),
    brand: deps.pages.brand,
    stylesheetHref: deps.pages.stylesheetHref,
    action: `/interaction/${interaction.uid}/login`,
    csrfToken: csrfToken(deps.pages.csrfKey, interaction.uid),
    email: outcome.email,
    error: outcome.error,
    retryAfterSeconds: outcome.retryAfterSeconds,
    clientName: client?.clientName,
    signupHref: deps.pages.signupOpen ? `/interaction/${interaction.uid}/signup` : undefined,
  });
  if (outcome.retryAfterSeconds !== undefined) reply.header('retry-after', String(outcome.retryAfterSeconds));
  return sendPage(reply, outcome.status, html, {
    formTargets: redirectOrigins(client?.redirectUris),
    logoUrl: deps.pages.brand.logoUrl,
  });
}

/** GET /interaction/:uid shows what the prompt needs; POST .../login checks the password. */
export async function signInRoutes(app: FastifyInstance, deps: InteractionDependencies): Promise<void> {
  const limits = signInLimitsOver(deps.context.config.signInWindowSeconds);
  app.get<{ Params: { uid: string } }>(
    '/interaction/:uid',
    { schema: { params: interactionParams } },
    async (request, reply) => {
      const interaction = await loadInteraction(deps.holder, request, reply);
      if (interaction.prompt.name === 'login') return showSignIn(deps, request, reply, interaction);
      if (interaction.prompt.name === businessPromptName)
        return showBusinessChooser(deps, request, reply, interaction);
      if (await isFirstParty(deps, interaction)) {
        return finishInteraction(deps.holder, request, reply, await approveConsent(deps.holder, interaction));
      }
      return showConsent(deps, request, reply, interaction);
    },
  );

  app.post<{ Params: { uid: string }; Body: { email: string; password: string; csrf?: string } }>(
    '/interaction/:uid/login',
    { schema: { params: interactionParams, body: signInBody } },
    async (request, reply) => {
      const interaction = await loadInteraction(deps.holder, request, reply);
      const { email, password, csrf } = request.body;
      if (!verifyCsrfToken(deps.pages.csrfKey, interaction.uid, csrf)) {
        return showSignIn(deps, request, reply, interaction, { status: 403, email, error: 'csrf' });
      }
      const outcome = await authenticate(
        { email, password, ip: request.ip, clientId: String(interaction.params.client_id) },
        { sql: deps.context.ports.sql, cache: deps.context.ports.cache, logger: request.log, limits },
      );
      if (!outcome.ok) {
        return outcome.reason === 'throttled'
          ? showSignIn(deps, request, reply, interaction, {
              status: 429,
              email,
              error: 'throttled',
              retryAfterSeconds: outcome.retryAfterSeconds,
            })
          : showSignIn(deps, request, reply, interaction, {
              status: 401,
              email,
              error: 'invalid_credentials',
            });
      }
      return finishInteraction(deps.holder, request, reply, {
        login: { accountId: outcome.account.id, amr: ['pwd'], remember: true },
      });
    },
  );
}

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { EmailTakenError } from '../../accounts/account-errors.ts';
import { createAccount } from '../../accounts/account-store.ts';
import { recordAuditEvent } from '../../accounts/audit-log.ts';
import { isPlausibleEmail } from '../../accounts/email-address.ts';
import { maxPasswordLength, minPasswordLength } from '../../accounts/password-policy.ts';
import { csrfToken, verifyCsrfToken } from '../../pages/csrf.ts';
import { renderSignUp } from '../../pages/sign-up-page.ts';
import { finishInteraction, type Interaction, loadInteraction } from './load-interaction.ts';
import { interactionParams, signUpBody } from './schemas.ts';
import { redirectOrigins, sendPage } from './send-page.ts';
import { clientOf, type InteractionDependencies } from './sign-in-routes.ts';

type SignUpErrors = Parameters<typeof renderSignUp>[0]['errors'];

async function showSignUp(
  deps: InteractionDependencies,
  request: FastifyRequest,
  reply: FastifyReply,
  interaction: Interaction,
  status: number,
  values: { email?: string; name?: string } = {},
  errors: SignUpErrors = undefined,
): Promise<FastifyReply> {
  const client = await clientOf(deps.holder, interaction);
  const html = renderSignUp({
    locale: deps.pages.localeOf(request.headers['accept-language']),
    brand: deps.pages.brand,
    stylesheetHref: deps.pages.stylesheetHref,
    action: `/interaction/${interaction.uid}/signup`,
    csrfToken: csrfToken(deps.pages.csrfKey, interaction.uid),
    values,
    errors,
    signInHref: `/interaction/${interaction.uid}`,
  });
  return sendPage(reply, status, html, {
    formTargets: redirectOrigins(client?.redirectUris),
    logoUrl: deps.pages.brand.logoUrl,
  });
}

function validateSignUp(body: { email: string; name: string; password: string }): SignUpErrors {
  const errors: NonNullable<SignUpErrors> = {};
  if (!isPlausibleEmail(body.email)) errors.email = 'invalid';
  if (body.name.trim() === '') errors.name = 'required';
  const length = [...body.password.trim()].length;
  if (length < minPasswordLength) errors.password = 'too_short';
  else if ([...body.password].length > maxPasswordLength) errors.password = 'too_long';
  return Object.keys(errors).length > 0 ? errors : undefined;
}

/** Sign-up from the sign-in page; GUICHET_SIGNUP=closed turns these routes into 404s. */
export async function signUpRoutes(app: FastifyInstance, deps: InteractionDependencies): Promise<void> {
  if (!deps.pages.signupOpen) return;

  app.get<{ Params: { uid: string } }>(
    '/interaction/:uid/signup',
    { schema: { params: interactionParams } },
    async (request, reply) =>
      showSignUp(deps, request, reply, await loadInteraction(deps.holder, request, reply), 200),
  );

  app.post<{
    Params: { uid: string };
    Body: { email: string; name: string; password: string; csrf?: string };
  }>(
    '/interaction/:uid/signup',
    { schema: { params: interactionParams, body: signUpBody } },
    async (request, reply) => {
      const interaction = await loadInteraction(deps.holder, request, reply);
      const { email, name, password, csrf } = request.body;
      if (!verifyCsrfToken(deps.pages.csrfKey, interaction.uid, csrf)) {
        return showSignUp(deps, request, reply, interaction, 403, { email, name });
      }
      const errors = validateSignUp(request.body);
      if (errors) return showSignUp(deps, request, reply, interaction, 400, { email, name }, errors);
      try {
        const account = await createAccount(deps.context.ports.sql, { email, name, password });
        await recordAuditEvent(deps.context.ports.sql, {
          type: 'sign_up',
          accountId: account.id,
          ip: request.ip,
        });
        return finishInteraction(deps.holder, request, reply, {
          login: { accountId: account.id, amr: ['pwd'], remember: true },
        });
      } catch (error) {
        if (!(error instanceof EmailTakenError)) throw error;
        return showSignUp(deps, request, reply, interaction, 409, { email, name }, { email: 'taken' });
      }
    },
  );
}

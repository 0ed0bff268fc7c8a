import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { membershipsOf } from '../../businesses/membership-store.ts';
import { renderBusinessChooser } from '../../pages/business-chooser-page.ts';
import { csrfToken, verifyCsrfToken } from '../../pages/csrf.ts';
import { ensureSessionContext } from '../../sessions/ensure-session-context.ts';
import { NotAMemberError, switchBusiness } from '../../sessions/session-context-store.ts';
import { tokenLifetimes } from '../token-lifetimes.ts';
import { finishInteraction, type Interaction, loadInteraction } from './load-interaction.ts';
import { businessBody, interactionParams } from './schemas.ts';
import { redirectOrigins, sendPage } from './send-page.ts';
import { clientOf, type InteractionDependencies } from './sign-in-routes.ts';

/** The business chooser: shown after sign-in to people who work for several businesses. */
export async function showBusinessChooser(
  deps: InteractionDependencies,
  request: FastifyRequest,
  reply: FastifyReply,
  interaction: Interaction,
  status = 200,
): Promise<FastifyReply> {
  const accountId = interaction.session?.accountId ?? '';
  const memberships = await membershipsOf(deps.context.ports.sql, accountId);
  const last = await deps.context.ports.sql.db
    .selectFrom('business_choice')
    .select('business_id')
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  const client = await clientOf(deps.holder, interaction);
  const html = renderBusinessChooser({
    locale: deps.pages.localeOf(request.headers['accept-language']),
    brand: deps.pages.brand,
    stylesheetHref: deps.pages.stylesheetHref,
    action: `/interaction/${interaction.uid}/business`,
    csrfToken: csrfToken(deps.pages.csrfKey, interaction.uid),
    businesses: memberships.map((membership) => ({ id: membership.businessId, name: membership.name })),
    lastChoice: last?.business_id,
  });
  return sendPage(reply, status, html, {
    formTargets: redirectOrigins(client?.redirectUris),
    logoUrl: deps.pages.brand.logoUrl,
  });
}

/** POST /interaction/:uid/business: the chosen business becomes the session's active one. */
export async function businessRoutes(app: FastifyInstance, deps: InteractionDependencies): Promise<void> {
  app.post<{ Params: { uid: string }; Body: { business_id: string; csrf?: string } }>(
    '/interaction/:uid/business',
    { schema: { params: interactionParams, body: businessBody } },
    async (request, reply) => {
      const interaction = await loadInteraction(deps.holder, request, reply);
      const session = interaction.session;
      if (
        session === undefined ||
        interaction.prompt.name !== 'business' ||
        !verifyCsrfToken(deps.pages.csrfKey, interaction.uid, request.body.csrf)
      ) {
        return showBusinessChooser(deps, request, reply, interaction, 403);
      }
      const now = new Date();
      const context = await ensureSessionContext(
        deps.context.ports,
        {
          sessionUid: session.uid,
          accountId: session.accountId,
          authTime: now,
          amr: session.amr ?? ['pwd'],
          expiresAt: new Date(now.getTime() + tokenLifetimes.Session * 1000),
        },
        request.log,
      );
      try {
        await switchBusiness(
          deps.context.ports,
          { sid: context.sid, businessId: request.body.business_id },
          request.log,
        );
      } catch (error) {
        if (error instanceof NotAMemberError)
          return showBusinessChooser(deps, request, reply, interaction, 403);
        throw error;
      }
      return finishInteraction(deps.holder, request, reply, { business: { chosen: true } });
    },
  );
}

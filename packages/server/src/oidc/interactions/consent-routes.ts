import type { FastifyInstance } from 'fastify';
import { recordAuditEvent } from '../../accounts/audit-log.ts';
import { verifyCsrfToken } from '../../pages/csrf.ts';
import { approveConsent, showConsent } from './consent.ts';
import { finishInteraction, loadInteraction } from './load-interaction.ts';
import { consentBody, interactionParams } from './schemas.ts';
import type { InteractionDependencies } from './sign-in-routes.ts';

/** POST /interaction/:uid/consent: the person allows or denies what the app asked for. */
export async function consentRoutes(app: FastifyInstance, deps: InteractionDependencies): Promise<void> {
  app.post<{ Params: { uid: string }; Body: { decision: 'allow' | 'deny'; csrf?: string } }>(
    '/interaction/:uid/consent',
    { schema: { params: interactionParams, body: consentBody } },
    async (request, reply) => {
      const interaction = await loadInteraction(deps.holder, request, reply);
      if (
        interaction.prompt.name !== 'consent' ||
        !verifyCsrfToken(deps.pages.csrfKey, interaction.uid, request.body.csrf)
      ) {
        reply.code(403);
        return showConsent(deps, request, reply, interaction);
      }
      const clientId = String(interaction.params.client_id);
      const accountId = interaction.session?.accountId;
      if (request.body.decision === 'deny') {
        await recordAuditEvent(deps.context.ports.sql, {
          type: 'consent.denied',
          accountId,
          clientId,
          ip: request.ip,
        });
        return finishInteraction(deps.holder, request, reply, {
          error: 'access_denied',
          error_description: 'the person declined the request',
        });
      }
      const result = await approveConsent(deps.holder, interaction);
      await recordAuditEvent(deps.context.ports.sql, {
        type: 'consent.granted',
        accountId,
        clientId,
        ip: request.ip,
      });
      return finishInteraction(deps.holder, request, reply, result);
    },
  );

  app.get<{ Params: { uid: string } }>(
    '/interaction/:uid/abort',
    { schema: { params: interactionParams } },
    async (request, reply) => {
      await loadInteraction(deps.holder, request, reply);
      return finishInteraction(deps.holder, request, reply, {
        error: 'access_denied',
        error_description: 'the person cancelled the sign-in',
      });
    },
  );
}

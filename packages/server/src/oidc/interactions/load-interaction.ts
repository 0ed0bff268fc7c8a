import type { FastifyReply, FastifyRequest } from 'fastify';
import type { InteractionResults } from 'oidc-provider';
import type { ProviderHolder } from '../provider-holder.ts';

export type Interaction = Awaited<ReturnType<ProviderHolder['current']['interactionDetails']>>;

/** The interaction is unknown, expired, or not the one this browser's cookie names. */
export class InteractionNotFoundError extends Error {
  constructor() {
    super('this sign-in request has expired or was not started in this browser');
    this.name = 'InteractionNotFoundError';
  }
}

/**
 * Loads the interaction this browser is in. oidc-provider finds it through its cookie only, so the
 * uid in the URL must match too: a link to someone else's interaction leads nowhere.
 */
export async function loadInteraction(
  holder: ProviderHolder,
  request: FastifyRequest<{ Params: { uid: string } }>,
  reply: FastifyReply,
): Promise<Interaction> {
  let interaction: Interaction;
  try {
    interaction = await holder.current.interactionDetails(request.raw, reply.raw);
  } catch {
    throw new InteractionNotFoundError();
  }
  if (interaction.uid !== request.params.uid) throw new InteractionNotFoundError();
  return interaction;
}

/** Records the outcome and sends the browser back to the authorization endpoint. */
export async function finishInteraction(
  holder: ProviderHolder,
  request: FastifyRequest,
  reply: FastifyReply,
  result: InteractionResults,
): Promise<FastifyReply> {
  const returnTo = await holder.current.interactionResult(request.raw, reply.raw, result, {
    mergeWithLastSubmission: false,
  });
  return reply.code(303).header('location', returnTo).send();
}

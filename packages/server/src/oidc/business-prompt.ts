import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import type { ServerContext } from '../runtime/server-context.ts';
import { businessChoiceNeeded } from '../sessions/ensure-session-context.ts';
import { findContextBySessionUid } from '../sessions/session-context-store.ts';

/** The business chooser is a prompt of its own, after sign-in and consent, before the code. */
export const businessPromptName = 'business';

/** oidc-provider's standard prompts plus "choose a business" for people in several businesses. */
export function interactionPolicyWithBusinessChoice(context: ServerContext) {
  const policy = interactionPolicy.base();
  policy.add(
    new interactionPolicy.Prompt(
      { name: businessPromptName, requestable: false },
      new interactionPolicy.Check(
        'business_not_chosen',
        'the person must choose a business',
        async (ctx: KoaContextWithOIDC) => {
          const session = ctx.oidc.session;
          const accountId = session?.accountId;
          if (session === undefined || accountId === undefined)
            return interactionPolicy.Check.NO_NEED_TO_PROMPT;
          const existing = await findContextBySessionUid(context.ports.sql, session.uid);
          return (await businessChoiceNeeded(context.ports.sql, existing, accountId))
            ? interactionPolicy.Check.REQUEST_PROMPT
            : interactionPolicy.Check.NO_NEED_TO_PROMPT;
        },
      ),
    ),
  );
  return policy;
}

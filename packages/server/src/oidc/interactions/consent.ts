import type { FastifyReply, FastifyRequest } from 'fastify';
import type { InteractionResults } from 'oidc-provider';
import { findAccountById } from '../../accounts/account-store.ts';
import { isFirstPartyClient } from '../../clients/client-store.ts';
import { renderConsent } from '../../pages/consent-page.ts';
import { csrfToken } from '../../pages/csrf.ts';
import type { ProviderHolder } from '../provider-holder.ts';
import type { Interaction } from './load-interaction.ts';
import { redirectOrigins, sendPage } from './send-page.ts';
import type { InteractionDependencies } from './sign-in-routes.ts';

export function isFirstParty(deps: InteractionDependencies, interaction: Interaction): Promise<boolean> {
  return isFirstPartyClient(deps.context, String(interaction.params.client_id));
}

interface MissingGrants {
  missingOIDCScope?: string[];
  missingOIDCClaims?: string[];
  missingResourceScopes?: Record<string, string[]>;
}

/** Grants what the prompt says is missing, on the existing grant when there is one. */
export async function approveConsent(
  holder: ProviderHolder,
  interaction: Interaction,
): Promise<InteractionResults> {
  const { Grant } = holder.current;
  const accountId = interaction.session?.accountId;
  if (accountId === undefined) throw new Error('consent without a signed-in account');
  const existing = interaction.grantId ? await Grant.find(interaction.grantId) : undefined;
  const grant = existing ?? new Grant({ accountId, clientId: String(interaction.params.client_id) });
  const details = interaction.prompt.details as MissingGrants;
  if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(' '));
  if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(details.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  const grantId = await grant.save();
  return { consent: existing ? {} : { grantId } };
}

export async function showConsent(
  deps: InteractionDependencies,
  request: FastifyRequest,
  reply: FastifyReply,
  interaction: Interaction,
): Promise<FastifyReply> {
  const client = await deps.holder.current.Client.find(String(interaction.params.client_id));
  const account = interaction.session
    ? await findAccountById(deps.context.ports.sql, interaction.session.accountId)
    : undefined;
  const requested = String(interaction.params.scope ?? 'openid')
    .split(' ')
    .filter(Boolean);
  const html = renderConsent({
    locale: deps.pages.localeOf(request.headers['accept-language']),
    brand: deps.pages.brand,
    stylesheetHref: deps.pages.stylesheetHref,
    action: `/interaction/${interaction.uid}/consent`,
    csrfToken: csrfToken(deps.pages.csrfKey, interaction.uid),
    clientName: client?.clientName ?? String(interaction.params.client_id),
    scopes: requested,
    accountEmail: account?.email ?? '',
  });
  return sendPage(reply, 200, html, {
    formTargets: redirectOrigins(client?.redirectUris),
    logoUrl: deps.pages.brand.logoUrl,
  });
}

import Provider, { type Configuration, type JWKS, type KoaContextWithOIDC } from 'oidc-provider';
import type { Logger } from 'pino';
import { accountClaims } from '../accounts/account-claims.ts';
import { findAccountById } from '../accounts/account-store.ts';
import { recordAuditEvent } from '../accounts/audit-log.ts';
import { findClientMetadata, isFirstPartyClient } from '../clients/client-store.ts';
import { publishEvent } from '../events/publish-event.ts';
import { contentSecurityPolicy } from '../pages/content-security-policy.ts';
import { renderError } from '../pages/error-page.ts';
import { renderLogoutConfirm } from '../pages/logout-confirm-page.ts';
import { renderSignedOut } from '../pages/signed-out-page.ts';
import { resourceServerForToken } from '../resources/resource-server-store.ts';
import type { ServerContext } from '../runtime/server-context.ts';
import { deriveKey } from '../secrets/master-key.ts';
import { endSessionContext } from '../sessions/session-context-store.ts';
import { accessTokenCustomizer, resourceIndicators, sessionIdClaim } from './access-token-shape.ts';
import { interactionPolicyWithBusinessChoice } from './business-prompt.ts';
import { cookieSigner } from './cookie-signer.ts';
import type { PageKit } from './page-kit.ts';
import { pairwiseSubject } from './pairwise-subject.ts';
import { providerConfiguration } from './provider-configuration.ts';
import { createStorageAdapterFactory } from './storage-adapter.ts';

export interface ProviderDependencies {
  context: ServerContext;
  pages: PageKit;
  logger: Logger;
}

/**
 * Pages oidc-provider renders itself. The logout form's post ends in a redirect to the app's
 * post-logout URI, which CSP form-action would block, so those pages do not restrict form targets.
 */
function sendPage(ctx: KoaContextWithOIDC, body: string, logoUrl: string | undefined): void {
  ctx.type = 'html';
  ctx.set('content-security-policy', contentSecurityPolicy([], { logoUrl, formAction: false }));
  ctx.set('cache-control', 'no-store');
  ctx.body = body;
}

/** Grants for first-party clients are implied: the company's own apps need no consent page. */
async function loadGrant(context: ServerContext, ctx: KoaContextWithOIDC) {
  const { oidc } = ctx;
  const clientId = oidc.client?.clientId;
  if (clientId === undefined) return undefined;
  const grantId = oidc.result?.consent?.grantId ?? oidc.session?.grantIdFor(clientId);
  if (grantId) {
    const existing = await oidc.provider.Grant.find(grantId);
    if (existing) return existing;
  }
  const accountId = oidc.session?.accountId;
  if (accountId === undefined || !(await isFirstPartyClient(context, clientId))) return undefined;
  const grant = new oidc.provider.Grant({ clientId, accountId });
  const scope = typeof oidc.params?.scope === 'string' ? oidc.params.scope : 'openid';
  grant.addOIDCScope(scope);
  const requested = oidc.params?.resource;
  for (const indicator of typeof requested === 'string'
    ? [requested]
    : Array.isArray(requested)
      ? requested
      : []) {
    const resource =
      typeof indicator === 'string' ? await resourceServerForToken(context, indicator) : undefined;
    const scopes = scope.split(' ').filter((name) => resource?.scopes.includes(name));
    if (resource && scopes.length > 0) grant.addResourceScope(resource.audience, scopes.join(' '));
  }
  await grant.save();
  return grant;
}

/** The sector a pairwise subject is computed for (oidc-provider's typings omit the property). */
function sectorOf(client: { clientId: string }): string {
  const sector = (client as { sectorIdentifier?: unknown }).sectorIdentifier;
  return typeof sector === 'string' ? sector : client.clientId;
}

/** Builds an oidc-provider instance with Guichet's policy, storage, accounts and pages. */
export function createProvider(dependencies: ProviderDependencies, jwks: JWKS): Provider {
  const { context, pages, logger } = dependencies;
  const { config, ports } = context;
  const pairwiseKey = deriveKey(context.masterKey, 'oidc/pairwise');
  const cookieKey = deriveKey(context.masterKey, 'oidc/cookies').toString('base64url');

  const configuration: Configuration = providerConfiguration({
    adapter: createStorageAdapterFactory({
      sql: ports.sql,
      cache: ports.cache,
      clients: { find: (clientId) => findClientMetadata(context, clientId) },
      onReuse: (event) => {
        logger.warn({ model: event.model }, 'token reuse detected: grant revoked');
        void recordAuditEvent(ports.sql, { type: 'token.reuse', details: { model: event.model } });
      },
    }),
    findAccount: async (ctx, sub) => {
      const account = await findAccountById(ports.sql, sub);
      if (account === undefined || account.disabledAt !== null) return undefined;
      // ID tokens are readable by whoever holds them: personal claims come from userinfo only,
      // unless the client registered a key to encrypt its ID tokens.
      const readableIdToken = ctx.oidc.client?.idTokenEncryptedResponseAlg === undefined;
      return {
        accountId: account.id,
        claims: async (use) =>
          use === 'id_token' && readableIdToken ? { sub: account.id } : { ...accountClaims(account) },
      };
    },
    loadExistingGrant: (ctx) => loadGrant(context, ctx),
    pairwiseIdentifier: async (_ctx, accountId, client) =>
      pairwiseSubject(pairwiseKey, sectorOf(client), accountId),
    renderError: async (ctx, out) => {
      const locale = pages.localeOf(ctx.get('accept-language'));
      sendPage(
        ctx,
        renderError({
          locale,
          brand: pages.brand,
          stylesheetHref: pages.stylesheetHref,
          message: out.error_description ?? out.error,
          errorCode: out.error,
        }),
        pages.brand.logoUrl,
      );
    },
    logoutSource: async (ctx, form) => {
      const locale = pages.localeOf(ctx.get('accept-language'));
      sendPage(
        ctx,
        renderLogoutConfirm({
          locale,
          brand: pages.brand,
          stylesheetHref: pages.stylesheetHref,
          formHtml: form,
          clientName: ctx.oidc.client?.clientName,
        }),
        pages.brand.logoUrl,
      );
    },
    postLogoutSuccessSource: async (ctx) => {
      const locale = pages.localeOf(ctx.get('accept-language'));
      sendPage(
        ctx,
        renderSignedOut({ locale, brand: pages.brand, stylesheetHref: pages.stylesheetHref }),
        pages.brand.logoUrl,
      );
    },
    resourceIndicators: resourceIndicators(context),
    extraTokenClaims: sessionIdClaim(context),
    accessTokenCustomizer: accessTokenCustomizer(context),
    interactionPolicy: interactionPolicyWithBusinessChoice(context),
    jwks,
    cookieKeys: cookieSigner([cookieKey]),
    secureCookies: config.issuer.startsWith('https://'),
  });

  const provider = new Provider(config.issuer, configuration);
  provider.proxy = config.trustProxy;
  provider.on('server_error', (_ctx, error) => logger.error({ err: error }, 'oidc-provider server error'));
  // oidc-provider reports a failed back-channel logout only through this event; the app would keep its session.
  provider.on('backchannel.error', (_ctx, error, client) =>
    logger.warn({ err: error, clientId: client.clientId }, 'back-channel logout failed'),
  );
  // The sign-out response waits until the context has ended, so an app that checks right after
  // it (or a resource server told by the event) never sees the session still active.
  const endings = new WeakMap<object, Promise<void>>();
  provider.use(async (ctx, next) => {
    await next();
    await endings.get(ctx);
  });
  provider.on('end_session.success', (ctx) => {
    // A full sign-out ends the business context everywhere; leaving one app keeps the session.
    const sessionUid = ctx.oidc.session?.uid;
    if (ctx.oidc.params?.logout && typeof sessionUid === 'string') {
      endings.set(
        ctx,
        endSessionContext(ports, sessionUid, logger).catch((error: unknown) =>
          logger.warn({ err: error }, 'ending the session context failed'),
        ),
      );
    }
    void recordAuditEvent(ports.sql, {
      type: 'logout',
      accountId: ctx.oidc.session?.accountId,
      clientId: ctx.oidc.client?.clientId,
      ip: ctx.ip,
    });
  });
  provider.on('grant.revoked', (ctx, grantId) => {
    logger.info({ grantId }, 'grant revoked');
    const sub = ctx.oidc?.session?.accountId ?? ctx.oidc?.entities?.RefreshToken?.accountId;
    void publishEvent(ports, 'grant.revoked', typeof sub === 'string' ? { sub } : {}, logger);
    void recordAuditEvent(ports.sql, {
      type: 'grant.revoked',
      clientId: ctx.oidc?.client?.clientId,
      ip: ctx.ip,
      details: { route: ctx.oidc?.route },
    });
  });
  return provider;
}

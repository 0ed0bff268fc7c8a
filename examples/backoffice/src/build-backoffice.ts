import formbody from '@fastify/formbody';
import { type Guichet, GuichetAuthError } from '@guichet/sdk';
import {
  businessMembers,
  html,
  InvalidLogoutTokenError,
  type RelyingParty,
  SessionApiError,
  SignInError,
  sessionBusinesses,
} from '@guichet-examples/relying-party';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { isAdmin } from './admin-roles.ts';
import type { HeaderInfo } from './pages/layout.ts';
import { renderMembersPage } from './pages/members-page.ts';
import { renderNotice } from './pages/notice-page.ts';
import { stylesheet } from './pages/stylesheet.ts';

export interface BackofficeDependencies {
  relyingParty: RelyingParty;
  guichet: Guichet;
  /** Guichet's URL, for the session directory (names of the person, businesses and members). */
  issuer: string;
}

/** Pages are personal and short-lived: never cached, never framed, no script at all. */
function sendPage(reply: FastifyReply, status: number, page: string): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header(
      'content-security-policy',
      "default-src 'none'; style-src 'self'; form-action 'self' http: https:; frame-ancestors 'none'",
    )
    .send(page);
}

const signInAgain = html`<a class="button" href="/">Sign in</a>`;

const signedOutPage = renderNotice('Signed out', 'Your session has ended.', { action: signInAgain });

/** The page for people who may not see the member list: owners and admins only. */
function adminsOnly(header: HeaderInfo | undefined, roles: readonly string[]): string {
  const business = header?.businessName ?? 'this business';
  const yours = roles.length === 0 ? '' : ` Your role there: ${roles.join(', ')}.`;
  return renderNotice('Admins only', `Only owners and admins of ${business} see its members.${yours}`, {
    header,
  });
}

/** The back office: Fastify, single sign-on with the shop, members of the active business for admins. */
export async function buildBackoffice(deps: BackofficeDependencies): Promise<FastifyInstance> {
  const { relyingParty, guichet, issuer } = deps;
  const app = Fastify({ logger: { level: 'warn' } });
  await app.register(formbody);

  app.get('/styles.css', async (_request, reply) =>
    reply
      .header('content-type', 'text/css; charset=utf-8')
      .header('cache-control', 'max-age=300')
      .send(stylesheet),
  );

  // Opening the back office signs in at once: after a sign-in to the shop, Guichet's own session
  // cookie answers this redirect without showing anything (single sign-on).
  app.get('/', async (request, reply) => {
    const session = relyingParty.signedInOf(request.headers.cookie);
    if (session?.signedIn === undefined) {
      const redirect = await relyingParty.startSignIn('/');
      return reply.header('set-cookie', redirect.setCookie).redirect(redirect.location, 303);
    }
    let auth: Awaited<ReturnType<Guichet['authenticate']>>;
    try {
      auth = await guichet.authenticate(`Bearer ${session.signedIn.accessToken}`);
    } catch (error) {
      if (!(error instanceof GuichetAuthError)) throw error;
      // Signed out elsewhere, or the grant was revoked: this session is over too.
      relyingParty.sessions.delete(session.id);
      if (error.httpStatus === 503)
        return sendPage(reply, 503, renderNotice('Guichet is unreachable', 'Try again in a moment.'));
      return sendPage(reply, 200, signedOutPage);
    }
    const token = session.signedIn.accessToken;
    try {
      // Names come from Guichet's session directory, read with the person's own access token.
      const directory = await sessionBusinesses(issuer, token);
      const nameOf = (id: string | null) => directory.businesses.find((entry) => entry.id === id)?.name;
      const header = { businessName: nameOf(auth.businessId), personName: directory.name };
      if (auth.businessId === null)
        return sendPage(
          reply,
          403,
          renderNotice('No business', 'Your session has no active business.', { header }),
        );
      // The back office checks the roles itself; Guichet refusing the list below is a second line.
      if (!isAdmin(auth.roles)) return sendPage(reply, 403, adminsOnly(header, auth.roles));
      const list = await businessMembers(issuer, token);
      // Guichet names the business it listed: the same, unless a switch happened a moment ago.
      return sendPage(
        reply,
        200,
        renderMembersPage({ ...header, businessName: nameOf(list.businessId) }, list.members),
      );
    } catch (error) {
      if (!(error instanceof SessionApiError)) throw error;
      if (error.status === 401) {
        relyingParty.sessions.delete(session.id);
        return sendPage(reply, 200, signedOutPage);
      }
      // The roles changed since the SDK resolved them: Guichet's refusal stands.
      if (error.status === 403) return sendPage(reply, 403, adminsOnly(undefined, []));
      throw error;
    }
  });

  app.get('/callback', async (request, reply) => {
    try {
      const redirect = await relyingParty.finishSignIn(
        request.headers.cookie,
        new URL(request.url, relyingParty.redirectUri),
      );
      return reply.header('set-cookie', redirect.setCookie).redirect(redirect.location, 303);
    } catch (error) {
      if (!(error instanceof SignInError)) throw error;
      request.log.warn({ reason: error.message }, 'sign-in failed');
      return sendPage(
        reply,
        400,
        renderNotice('Sign-in failed', 'Please try again.', { action: signInAgain }),
      );
    }
  });

  app.post('/logout', async (request, reply) => {
    const redirect = relyingParty.signOut(request.headers.cookie, '/signed-out');
    return reply.header('set-cookie', redirect.setCookie).redirect(redirect.location, 303);
  });

  app.get('/signed-out', async (_request, reply) =>
    sendPage(
      reply,
      200,
      renderNotice('Signed out', 'You are signed out of every app of the company.', { action: signInAgain }),
    ),
  );

  // Guichet posts a logout token here when the person signs out anywhere (OIDC back-channel logout).
  app.post<{ Body: { logout_token?: string } }>('/backchannel-logout', async (request, reply) => {
    const token = request.body?.logout_token;
    reply.header('cache-control', 'no-store');
    if (typeof token !== 'string') return reply.code(400).send({ error: 'invalid_request' });
    try {
      await relyingParty.backChannelLogout(token);
      return reply.code(200).send();
    } catch (error) {
      if (!(error instanceof InvalidLogoutTokenError)) throw error;
      request.log.warn({ reason: error.message }, 'logout token refused');
      return reply.code(400).send({ error: 'invalid_request' });
    }
  });

  return app;
}

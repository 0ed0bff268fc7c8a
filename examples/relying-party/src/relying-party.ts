import * as oidc from 'openid-client';
import type { AppSession } from './app-session.ts';
import { LogoutTokenVerifier } from './back-channel-logout.ts';
import { clearedCookie, readCookie, sessionCookie } from './session-cookie.ts';
import { SessionStore } from './session-store.ts';

export interface RelyingPartyOptions {
  /** Guichet's issuer URL. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** This app's public base URL, e.g. http://localhost:3001. */
  baseUrl: string;
  /** The scopes to ask for, `openid` included. */
  scope: string;
  /** The API the access token is for (RFC 8707): Guichet then issues a token only it accepts. */
  resource?: string;
  /** Name of the app's session cookie: apps on one host (any port) share cookies, so each needs its own. */
  cookieName: string;
}

/** Where the browser goes next, and the cookie to set on the way. */
export interface Redirect {
  location: string;
  setCookie: string;
}

export class SignInError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SignInError';
  }
}

/** A path of this app, so a crafted return_to cannot send the person to another site. */
export function localPath(value: string | undefined): string {
  return value?.startsWith('/') === true && !value.startsWith('//') && !value.includes('\\') ? value : '/';
}

/**
 * The app's side of OpenID Connect, with `openid-client`: authorization code + PKCE, tokens kept
 * in a server-side session (the browser holds only a random session id), RP-initiated logout and
 * back-channel logout. Framework-free: each app wires it to its routes.
 */
export class RelyingParty {
  readonly sessions = new SessionStore();
  readonly #config: oidc.Configuration;
  readonly #options: RelyingPartyOptions;
  readonly #logoutTokens: LogoutTokenVerifier;
  readonly #secure: boolean;

  private constructor(config: oidc.Configuration, options: RelyingPartyOptions) {
    this.#config = config;
    this.#options = options;
    this.#secure = options.baseUrl.startsWith('https:');
    const jwksUri = config.serverMetadata().jwks_uri;
    if (jwksUri === undefined) throw new Error('the issuer publishes no jwks_uri');
    this.#logoutTokens = new LogoutTokenVerifier({
      issuer: options.issuer,
      clientId: options.clientId,
      jwksUri,
    });
  }

  /** Reads Guichet's discovery document; retries briefly while Guichet is still starting. */
  static async discover(options: RelyingPartyOptions): Promise<RelyingParty> {
    const issuer = new URL(options.issuer);
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const config = await oidc.discovery(
          issuer,
          options.clientId,
          options.clientSecret,
          undefined,
          // Plain http is for loopback demos only; a deployment's issuer is https.
          issuer.protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : undefined,
        );
        return new RelyingParty(config, options);
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }

  get redirectUri(): string {
    return new URL('/callback', this.#options.baseUrl).toString();
  }

  sessionOf(cookieHeader: string | undefined): AppSession | undefined {
    return this.sessions.get(readCookie(cookieHeader, this.#options.cookieName));
  }

  /** The signed-in session of a request, when its access token is still good for a minute. */
  signedInOf(cookieHeader: string | undefined): AppSession | undefined {
    const session = this.sessionOf(cookieHeader);
    const signedIn = session?.signedIn;
    if (signedIn === undefined) return undefined;
    return signedIn.accessTokenExpiresAt * 1000 > Date.now() + 60_000 ? session : undefined;
  }

  /**
   * Sends the browser to Guichet's authorization endpoint. Someone already signed in at Guichet
   * (in another app of the company) comes straight back with a code: that is single sign-on.
   */
  async startSignIn(returnTo: string | undefined): Promise<Redirect> {
    const session = this.sessions.create();
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const pending = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      codeVerifier,
      returnTo: localPath(returnTo),
      startedAt: Date.now(),
    };
    session.pending = pending;
    const url = oidc.buildAuthorizationUrl(this.#config, {
      redirect_uri: this.redirectUri,
      scope: this.#options.scope,
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
      ...(this.#options.resource === undefined ? {} : { resource: this.#options.resource }),
    });
    return { location: url.href, setCookie: this.#cookie(session.id) };
  }

  /** Redeems the code of the callback URL; the session gets a new id and the tokens. */
  async finishSignIn(cookieHeader: string | undefined, callbackUrl: URL): Promise<Redirect> {
    const session = this.sessionOf(cookieHeader);
    const pending = session?.pending;
    if (session === undefined || pending === undefined)
      throw new SignInError('no sign-in is under way in this browser');
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(
        this.#config,
        callbackUrl,
        {
          pkceCodeVerifier: pending.codeVerifier,
          expectedState: pending.state,
          expectedNonce: pending.nonce,
          idTokenExpected: true,
        },
        this.#options.resource === undefined ? undefined : { resource: this.#options.resource },
      );
    } catch (error) {
      this.sessions.delete(session.id);
      // The library's messages name the failed check, never a token.
      throw new SignInError(error instanceof Error ? error.message : 'the sign-in failed');
    }
    const claims = tokens.claims();
    if (claims === undefined || typeof claims.sid !== 'string')
      throw new SignInError('the ID token names no session');
    const signedIn = this.sessions.signIn(session, {
      sid: claims.sid,
      sub: claims.sub,
      accessToken: tokens.access_token,
      accessTokenExpiresAt: Math.floor(Date.now() / 1000) + (tokens.expiresIn() ?? 0),
      idToken: tokens.id_token ?? '',
    });
    return { location: pending.returnTo, setCookie: this.#cookie(signedIn.id) };
  }

  /**
   * Ends the local session and sends the browser to Guichet's end-session endpoint, which signs the
   * person out of Guichet and, by back-channel logout, out of every other app of the session.
   */
  signOut(cookieHeader: string | undefined, postLogoutPath = '/'): Redirect {
    const session = this.sessionOf(cookieHeader);
    const setCookie = clearedCookie(this.#options.cookieName, { secure: this.#secure });
    if (session === undefined) return { location: postLogoutPath, setCookie };
    this.sessions.delete(session.id);
    const idToken = session.signedIn?.idToken;
    if (idToken === undefined) return { location: postLogoutPath, setCookie };
    const url = oidc.buildEndSessionUrl(this.#config, {
      id_token_hint: idToken,
      post_logout_redirect_uri: new URL(postLogoutPath, this.#options.baseUrl).toString(),
    });
    return { location: url.href, setCookie };
  }

  /** Handles a logout token Guichet posted: ends the local sessions it names. */
  async backChannelLogout(logoutToken: string): Promise<number> {
    const target = await this.#logoutTokens.verify(logoutToken);
    return target.sid !== undefined
      ? this.sessions.deleteBySid(target.sid)
      : this.sessions.deleteBySub(target.sub ?? '');
  }

  #cookie(id: string): string {
    return sessionCookie(this.#options.cookieName, id, { secure: this.#secure });
  }
}

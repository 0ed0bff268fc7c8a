import { createHash, randomBytes } from 'node:crypto';
import { formAction, HttpBrowser, hiddenInput } from '../../../packages/server/test/support/http-browser.ts';
import { basicAuthorization } from './basic-authorization.ts';

export interface CodeFlowClient {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

export interface TokenResponse {
  access_token: string;
  id_token?: string;
  refresh_token?: string;
  expires_in: number;
}

function fail(step: string, status: number, body: string): never {
  throw new Error(`sign-in flow: ${step} answered ${status} ${body.slice(0, 300)}`);
}

/**
 * One complete sign-in as a browser does it, in a fresh cookie jar: the authorization request (PKCE
 * S256), Guichet's sign-in page, the password form, the redirects (consent is skipped for first-party
 * clients) and the code exchange at the token endpoint with client_secret_basic. Throws on any
 * unexpected answer, naming the step.
 */
export async function signInThroughPages(
  client: CodeFlowClient,
  user: { email: string; password: string },
  request: { scope: string; prompt?: string },
): Promise<TokenResponse> {
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const authorize = new URL('/auth', client.issuer);
  authorize.search = new URLSearchParams({
    client_id: client.clientId,
    redirect_uri: client.redirectUri,
    response_type: 'code',
    scope: request.scope,
    state,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...(request.prompt === undefined ? {} : { prompt: request.prompt }),
  }).toString();

  const browser = new HttpBrowser();
  const page = await browser.open(authorize, client.redirectUri);
  const action = formAction(page.body, '/login');
  const csrf = hiddenInput(page.body, 'csrf');
  if (page.status !== 200 || action === undefined || csrf === undefined)
    fail('the sign-in page', page.status, page.body);
  const signedIn = await browser.submit(
    new URL(action, client.issuer).toString(),
    { email: user.email, password: user.password, csrf },
    client.redirectUri,
  );
  const location = signedIn.location === undefined ? undefined : new URL(signedIn.location);
  const code = location?.searchParams.get('code');
  if (!location?.href.startsWith(client.redirectUri) || !code || location.searchParams.get('state') !== state)
    fail('the password form', signedIn.status, signedIn.location ?? signedIn.body);

  // The app's back end calls the token endpoint: no browser cookies go with it.
  const exchange = await new HttpBrowser().request(new URL('/token', client.issuer), {
    method: 'POST',
    headers: { authorization: basicAuthorization(client.clientId, client.clientSecret) },
    form: {
      grant_type: 'authorization_code',
      code,
      redirect_uri: client.redirectUri,
      code_verifier: verifier,
    },
  });
  const body = exchange.body;
  if (exchange.status !== 200) fail('the code exchange', exchange.status, body);
  return JSON.parse(body) as TokenResponse;
}

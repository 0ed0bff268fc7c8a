import { randomBytes } from 'node:crypto';
import { AdminApiError, type AdminClient, createAdminClient, readAdminTokenFile } from '@guichet/server';
import {
  backofficeAudience,
  demoBusinesses,
  demoPeople,
  productImagePurpose,
  shopAudience,
} from './demo-company.ts';
import { type ClientCredentials, type DemoState, readDemoState, writeDemoState } from './demo-state.ts';
import { ensureFilePurpose } from './file-purpose.ts';

export interface AppUrls {
  shop: string;
  backoffice: string;
}

/** Everything the apps need to start, and the people to sign in as. */
export interface SeededDemo {
  adminToken: string;
  clients: {
    shop: ClientCredentials;
    shopApi: ClientCredentials;
    backoffice: ClientCredentials;
    backofficeApi: ClientCredentials;
  };
  people: Array<{ email: string; name: string; password: string; roles: Record<string, string[]> }>;
  businesses: Array<{ id: string; slug: string; name: string }>;
}

interface ClientView {
  client_id: string;
  client_secret?: string;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  backchannel_logout_uri?: string;
}

interface ClientSpec {
  name: string;
  service?: boolean;
  firstParty?: boolean;
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
  backchannelLogoutUri?: string;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((entry, index) => entry === b[index]);
}

/** Reuses the client of an earlier run when it still matches; otherwise registers it anew. */
async function ensureClient(
  admin: AdminClient,
  state: DemoState,
  key: string,
  spec: ClientSpec,
): Promise<ClientCredentials> {
  const known = state.clients[key];
  if (known !== undefined) {
    try {
      const existing = await admin.request<ClientView>('GET', `/clients/${encodeURIComponent(known.id)}`);
      const matches =
        sameList(existing.redirect_uris, spec.redirectUris) &&
        sameList(existing.post_logout_redirect_uris, spec.postLogoutRedirectUris ?? []) &&
        existing.backchannel_logout_uri === spec.backchannelLogoutUri;
      if (matches) return known;
      // The app moved (another port or host): its exact redirect URIs changed with it.
      await admin.request('DELETE', `/clients/${encodeURIComponent(known.id)}`);
    } catch (error) {
      if (!(error instanceof AdminApiError && error.status === 404)) throw error;
    }
  }
  const created = await admin.request<ClientView>('POST', '/clients', spec);
  const credentials = { id: created.client_id, secret: created.client_secret ?? '' };
  state.clients[key] = credentials;
  return credentials;
}

async function findUserByEmail(admin: AdminClient, email: string): Promise<{ id: string } | undefined> {
  let after: string | null = null;
  do {
    const query: string = after === null ? '?limit=500' : `?limit=500&after=${encodeURIComponent(after)}`;
    const page: { users: Array<{ id: string; email: string }>; next: string | null } = await admin.request(
      'GET',
      `/users${query}`,
    );
    const found = page.users.find((user) => user.email.toLowerCase() === email.toLowerCase());
    if (found) return found;
    after = page.next;
  } while (after !== null);
  return undefined;
}

async function ensureBusiness(admin: AdminClient, slug: string, name: string): Promise<{ id: string }> {
  try {
    return await admin.request<{ id: string }>('GET', `/businesses/${encodeURIComponent(slug)}`);
  } catch (error) {
    if (!(error instanceof AdminApiError && error.status === 404)) throw error;
    return admin.request<{ id: string }>('POST', '/businesses', { name, slug });
  }
}

async function ensureResource(
  admin: AdminClient,
  audience: string,
  name: string,
  scopes: string[],
): Promise<void> {
  const { resources } = await admin.request<{ resources: Array<{ audience: string }> }>('GET', '/resources');
  if (resources.some((resource) => resource.audience === audience)) return;
  // JWT access tokens: the apps verify them locally; they carry nothing personal, only a session id.
  await admin.request('POST', '/resources', { audience, name, format: 'jwt', scopes, accessTokenTtl: 3600 });
}

/**
 * Seeds Guichet through its admin API, idempotently: a second run finds everything in place and
 * reuses it (client secrets and passwords come from the demo state file, since Guichet shows them once).
 */
export async function seedDemo(options: {
  issuer: string;
  guichetDataDir: string;
  stateDir: string;
  urls: AppUrls;
}): Promise<SeededDemo> {
  const adminToken = await readAdminTokenFile(options.guichetDataDir);
  if (adminToken === undefined) throw new Error(`no admin token in ${options.guichetDataDir}`);
  const admin = createAdminClient(options.issuer, adminToken);
  const state = await readDemoState(options.stateDir);
  const { shop, backoffice } = options.urls;

  await ensureResource(admin, shopAudience, 'Shop API', ['products:read', 'products:write']);
  await ensureResource(admin, backofficeAudience, 'Back office API', ['members:read']);
  await ensureFilePurpose(admin, productImagePurpose);

  const clients = {
    shop: await ensureClient(admin, state, 'shop', {
      name: 'Shop',
      firstParty: true,
      redirectUris: [`${shop}/callback`],
      postLogoutRedirectUris: [`${shop}/`],
      backchannelLogoutUri: `${shop}/backchannel-logout`,
    }),
    shopApi: await ensureClient(admin, state, 'shop-api', {
      name: 'Shop API',
      service: true,
      redirectUris: [],
    }),
    backoffice: await ensureClient(admin, state, 'backoffice', {
      name: 'Back office',
      firstParty: true,
      redirectUris: [`${backoffice}/callback`],
      postLogoutRedirectUris: [`${backoffice}/signed-out`],
      backchannelLogoutUri: `${backoffice}/backchannel-logout`,
    }),
    backofficeApi: await ensureClient(admin, state, 'backoffice-api', {
      name: 'Back office API',
      service: true,
      redirectUris: [],
    }),
  };

  const people: SeededDemo['people'] = [];
  for (const person of demoPeople) {
    const existing = await findUserByEmail(admin, person.email);
    let password = state.passwords[person.email];
    if (existing === undefined) {
      password = randomBytes(12).toString('base64url');
      await admin.request('POST', '/users', { email: person.email, name: person.name, password });
      state.passwords[person.email] = password;
    }
    people.push({ ...person, password: password ?? '(set by an earlier run whose state is gone)' });
  }

  const businesses: SeededDemo['businesses'] = [];
  for (const business of demoBusinesses) {
    const { id } = await ensureBusiness(admin, business.slug, business.name);
    businesses.push({ id, ...business });
    for (const person of demoPeople) {
      const roles = person.roles[business.slug];
      if (roles !== undefined)
        await admin.request('POST', `/businesses/${id}/members`, { email: person.email, roles });
    }
  }

  await writeDemoState(options.stateDir, state);
  return { adminToken, clients, people, businesses };
}

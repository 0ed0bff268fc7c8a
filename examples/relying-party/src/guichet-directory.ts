/** A business the person belongs to, for the business switcher. */
export interface Membership {
  businessId: string;
  businessName: string;
  roles: string[];
}

/** A member of a business, as the back office lists them. */
export interface Member {
  accountId: string;
  email: string;
  name: string;
  roles: string[];
}

interface BusinessPage {
  businesses: Array<{ id: string; name: string; slug: string }>;
  next: string | null;
}

const cacheTtlMs = 15_000;

/**
 * Names of businesses and people, which tokens and the session context deliberately leave out.
 *
 * Stopgap: Guichet has no endpoint yet that answers "which businesses is this session's person in"
 * or "who are the members of the active business" to an app, so this reads the admin API with an
 * admin token. A real deployment would not hand an app that token; replace this class once such
 * endpoints exist. The answers are cached briefly, so pages do not call Guichet each time.
 */
export class GuichetDirectory {
  readonly #base: string;
  readonly #adminToken: string;
  readonly #cache = new Map<string, { until: number; value: Promise<unknown> }>();

  constructor(options: { issuer: string; adminToken: string }) {
    this.#base = `${options.issuer.replace(/\/+$/, '')}/admin/v1`;
    this.#adminToken = options.adminToken;
  }

  /** The businesses a person belongs to, with their roles in each, by name. */
  async membershipsOf(sub: string): Promise<Membership[]> {
    const businesses = await this.#businesses();
    const memberships: Membership[] = [];
    for (const business of businesses) {
      const member = (await this.membersOf(business.id)).find((entry) => entry.accountId === sub);
      if (member)
        memberships.push({ businessId: business.id, businessName: business.name, roles: member.roles });
    }
    return memberships.sort((a, b) => a.businessName.localeCompare(b.businessName));
  }

  /** The person's name and email, from any business they belong to. */
  async personOf(sub: string): Promise<{ name: string; email: string } | undefined> {
    for (const business of await this.#businesses()) {
      const member = (await this.membersOf(business.id)).find((entry) => entry.accountId === sub);
      if (member) return { name: member.name, email: member.email };
    }
    return undefined;
  }

  async membersOf(businessId: string): Promise<Member[]> {
    const answer = await this.#cached(`members:${businessId}`, () =>
      this.#get<{ members: Member[] }>(`/businesses/${encodeURIComponent(businessId)}/members`),
    );
    return answer.members;
  }

  #businesses(): Promise<BusinessPage['businesses']> {
    return this.#cached('businesses', async () => {
      const all: BusinessPage['businesses'] = [];
      let after: string | null = null;
      do {
        const query: string = after === null ? '?limit=500' : `?limit=500&after=${encodeURIComponent(after)}`;
        const page: BusinessPage = await this.#get<BusinessPage>(`/businesses${query}`);
        all.push(...page.businesses);
        after = page.next;
      } while (after !== null);
      return all;
    });
  }

  #cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const hit = this.#cache.get(key);
    if (hit !== undefined && hit.until > now) return hit.value as Promise<T>;
    const value = load();
    this.#cache.set(key, { until: now + cacheTtlMs, value });
    // A failure is not cached: the next page asks again.
    value.catch(() => this.#cache.delete(key));
    return value;
  }

  async #get<T>(path: string): Promise<T> {
    const response = await fetch(`${this.#base}${path}`, {
      headers: { authorization: `Bearer ${this.#adminToken}` },
      signal: AbortSignal.timeout(5_000),
    });
    if (!response.ok) throw new Error(`Guichet admin API answered ${response.status} to ${path}`);
    return (await response.json()) as T;
  }
}

import { randomBytes } from 'node:crypto';
import type { AppSession, SignedIn } from './app-session.ts';

/** Fourteen days, like Guichet's own sessions: past that the person signs in again anyway. */
const sessionLifetimeMs = 14 * 24 * 60 * 60 * 1000;
/** A sign-in that has not come back within ten minutes was abandoned. */
const pendingLifetimeMs = 10 * 60 * 1000;

/**
 * Server-side sessions, in memory: enough for one process of an example. An app running several
 * instances keeps them in Redis or its database instead; the shape stays the same. Sessions are
 * indexed by Guichet's `sid` too, because a back-channel logout names the session that way.
 */
export class SessionStore {
  readonly #sessions = new Map<string, AppSession>();
  readonly #bySid = new Map<string, Set<string>>();

  /** A new session with an unguessable id (256 random bits), so the cookie cannot be predicted. */
  create(): AppSession {
    const session: AppSession = {
      id: randomBytes(32).toString('base64url'),
      expiresAt: Date.now() + pendingLifetimeMs,
    };
    this.#sessions.set(session.id, session);
    this.#sweep();
    return session;
  }

  get(id: string | undefined): AppSession | undefined {
    if (id === undefined) return undefined;
    const session = this.#sessions.get(id);
    if (session === undefined) return undefined;
    if (session.expiresAt <= Date.now()) {
      this.delete(id);
      return undefined;
    }
    return session;
  }

  /**
   * Records the sign-in under a brand-new id and drops the old one: the id the browser held before
   * signing in is never the one that carries the tokens (session fixation).
   */
  signIn(previous: AppSession, signedIn: SignedIn): AppSession {
    this.delete(previous.id);
    const session: AppSession = {
      id: randomBytes(32).toString('base64url'),
      signedIn,
      expiresAt: Date.now() + sessionLifetimeMs,
    };
    this.#sessions.set(session.id, session);
    const ids = this.#bySid.get(signedIn.sid) ?? new Set<string>();
    ids.add(session.id);
    this.#bySid.set(signedIn.sid, ids);
    return session;
  }

  delete(id: string): void {
    const session = this.#sessions.get(id);
    if (session === undefined) return;
    this.#sessions.delete(id);
    const sid = session.signedIn?.sid;
    if (sid === undefined) return;
    const ids = this.#bySid.get(sid);
    ids?.delete(id);
    if (ids?.size === 0) this.#bySid.delete(sid);
  }

  /** Ends every local session opened through one Guichet session; returns how many there were. */
  deleteBySid(sid: string): number {
    const ids = [...(this.#bySid.get(sid) ?? [])];
    for (const id of ids) this.delete(id);
    return ids.length;
  }

  /** Ends every local session of a person (a logout token may name only the subject). */
  deleteBySub(sub: string): number {
    const ids = [...this.#sessions.values()].filter((session) => session.signedIn?.sub === sub);
    for (const session of ids) this.delete(session.id);
    return ids.length;
  }

  #sweep(): void {
    const now = Date.now();
    for (const [id, session] of this.#sessions) if (session.expiresAt <= now) this.delete(id);
  }
}

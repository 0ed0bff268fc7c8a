/** A sign-in under way: what the callback must check, kept server-side until it comes back. */
export interface PendingSignIn {
  state: string;
  nonce: string;
  codeVerifier: string;
  /** Where to go once signed in: a path of this app, never another origin. */
  returnTo: string;
  startedAt: number;
}

/** A signed-in person, as the app's server keeps them. The browser only ever holds the session id. */
export interface SignedIn {
  /** Guichet's opaque session id: a back-channel logout names the session by it. */
  sid: string;
  sub: string;
  accessToken: string;
  /** Seconds since the epoch. */
  accessTokenExpiresAt: number;
  /** Sent back to Guichet as id_token_hint when the person signs out. */
  idToken: string;
}

export interface AppSession {
  id: string;
  pending?: PendingSignIn;
  signedIn?: SignedIn;
  /** Milliseconds since the epoch; the store forgets the session past it. */
  expiresAt: number;
}

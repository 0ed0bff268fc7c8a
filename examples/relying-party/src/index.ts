// What the example apps share to sign people in through Guichet, and the HTML template tag their pages use.
export type { AppSession, PendingSignIn, SignedIn } from './app-session.ts';
export { InvalidLogoutTokenError, type LogoutTarget, LogoutTokenVerifier } from './back-channel-logout.ts';
export { html, SafeHtml } from './html.ts';
export {
  localPath,
  type Redirect,
  RelyingParty,
  type RelyingPartyOptions,
  SignInError,
} from './relying-party.ts';
export { clearedCookie, readCookie, sessionCookie } from './session-cookie.ts';
export {
  type BusinessMember,
  businessMembers,
  type SessionBusiness,
  type SessionBusinesses,
  SessionDirectoryError,
  sessionBusinesses,
} from './session-directory.ts';
export { SessionStore } from './session-store.ts';
export { BusinessSwitchError, switchBusiness } from './switch-business.ts';

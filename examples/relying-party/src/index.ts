// What the example apps share to sign people in through Guichet, and the HTML template tag their pages use.
export { type AppConfig, loadAppConfig } from './app-config.ts';
export type { AppSession, PendingSignIn, SignedIn } from './app-session.ts';
export { InvalidLogoutTokenError, type LogoutTarget, LogoutTokenVerifier } from './back-channel-logout.ts';
export { html, SafeHtml } from './html.ts';
export { type Redirect, RelyingParty, type RelyingPartyOptions, SignInError } from './relying-party.ts';
export { SessionApiError } from './session-api.ts';
export {
  type BusinessMember,
  businessMembers,
  type SessionBusiness,
  type SessionBusinesses,
  sessionBusinesses,
} from './session-directory.ts';
export { switchBusiness } from './switch-business.ts';

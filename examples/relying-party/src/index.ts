// What the example apps share to sign people in through Guichet.
export type { AppSession, PendingSignIn, SignedIn } from './app-session.ts';
export { InvalidLogoutTokenError, type LogoutTarget, LogoutTokenVerifier } from './back-channel-logout.ts';
export { GuichetDirectory, type Member, type Membership } from './guichet-directory.ts';
export {
  localPath,
  type Redirect,
  RelyingParty,
  type RelyingPartyOptions,
  SignInError,
} from './relying-party.ts';
export { clearedCookie, readCookie, sessionCookie } from './session-cookie.ts';
export { SessionStore } from './session-store.ts';
export { BusinessSwitchError, switchBusiness } from './switch-business.ts';

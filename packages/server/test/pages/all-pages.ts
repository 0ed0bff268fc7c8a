import type { Brand } from '../../src/pages/brand.ts';
import { renderConsent } from '../../src/pages/consent-page.ts';
import { renderError } from '../../src/pages/error-page.ts';
import type { Locale } from '../../src/pages/locale.ts';
import { renderLogoutConfirm } from '../../src/pages/logout-confirm-page.ts';
import { renderSignIn } from '../../src/pages/sign-in-page.ts';
import { renderSignUp } from '../../src/pages/sign-up-page.ts';
import { renderSignedOut } from '../../src/pages/signed-out-page.ts';

export const testBrand: Brand = { name: 'Acme', primaryColor: '#4f46e5' };

/** The form oidc-provider hands to logoutSource, as end_session.js builds it. */
export const logoutForm =
  '<form id="op.logoutForm" method="post" action="/session/end/confirm"><input type="hidden" name="xsrf" value="s3cr3t"/></form>';

/**
 * Every page in every state worth checking, with `text` (a client name, email or message) placed
 * wherever the page shows such a value.
 */
export function allPages(locale: Locale, text: string, brand: Brand = testBrand): Record<string, string> {
  const basics = { locale, brand, stylesheetHref: '/assets/guichet.abc.css' };
  return {
    'sign-in': renderSignIn({
      ...basics,
      action: '/interaction/u1/login',
      csrfToken: 'tok',
      clientName: text,
    }),
    'sign-in with error': renderSignIn({
      ...basics,
      action: '/interaction/u1/login',
      csrfToken: 'tok',
      email: text,
      error: 'invalid_credentials',
      clientName: text,
      signupHref: '/interaction/u1/signup',
    }),
    'sign-in throttled': renderSignIn({
      ...basics,
      action: '/interaction/u1/login',
      csrfToken: 'tok',
      error: 'throttled',
      retryAfterSeconds: 30,
    }),
    'sign-up': renderSignUp({
      ...basics,
      action: '/interaction/u1/signup',
      csrfToken: 'tok',
      signInHref: '/i/u1',
    }),
    'sign-up with errors': renderSignUp({
      ...basics,
      action: '/interaction/u1/signup',
      csrfToken: 'tok',
      signInHref: '/i/u1',
      values: { email: text, name: text },
      errors: { email: 'taken', name: 'required', password: 'too_short' },
      error: 'csrf',
    }),
    consent: renderConsent({
      ...basics,
      action: '/interaction/u1/confirm',
      csrfToken: 'tok',
      clientName: text,
      scopes: ['openid', 'profile', 'email', 'offline_access', text],
      accountEmail: text,
    }),
    'consent with abort form': renderConsent({
      ...basics,
      action: '/interaction/u1/confirm',
      abortHref: '/interaction/u1/abort',
      csrfToken: 'tok',
      clientName: text,
      scopes: ['openid'],
      accountEmail: text,
      error: 'csrf',
    }),
    'signed out': renderSignedOut(basics),
    'logout confirm': renderLogoutConfirm({ ...basics, formHtml: logoutForm, clientName: text }),
    error: renderError({ ...basics, title: text, message: text, errorCode: text }),
  };
}

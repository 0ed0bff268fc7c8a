import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderConsent } from '../../src/pages/consent-page.ts';
import { csrfFieldName } from '../../src/pages/csrf.ts';
import { renderError } from '../../src/pages/error-page.ts';
import { renderLogoutConfirm } from '../../src/pages/logout-confirm-page.ts';
import { messagesFor } from '../../src/pages/messages.ts';
import { renderSignIn } from '../../src/pages/sign-in-page.ts';
import { renderSignUp } from '../../src/pages/sign-up-page.ts';
import { allPages, logoutForm, testBrand } from './all-pages.ts';
import { bodyText, openingTags, tagsNamed, textOfId } from './inspect-html.ts';

const attack = '<script>alert(1)</script>';
const basics = { locale: 'en' as const, brand: testBrand, stylesheetHref: '/assets/guichet.abc.css' };

describe('every page', () => {
  for (const locale of ['en', 'fr'] as const) {
    for (const [name, document] of Object.entries(allPages(locale, attack))) {
      describe(`${name} (${locale})`, () => {
        it('escapes a hostile client name, email or message', () => {
          assert.ok(!document.includes(attack), 'the raw payload is not in the page');
          assert.ok(!/<script/i.test(document), 'no <script> element at all');
          if (name !== 'signed out' && name !== 'sign-in throttled' && name !== 'sign-up') {
            assert.ok(
              document.includes('&lt;script&gt;alert(1)&lt;/script&gt;'),
              'the text is shown, escaped',
            );
          }
        });

        it('carries no inline style, event handler or javascript: URL (the CSP forbids them)', () => {
          assert.ok(!/\sstyle=/i.test(document));
          assert.ok(!/<style/i.test(document));
          assert.ok(!/\son[a-z]+=/i.test(document));
          assert.ok(!/javascript:/i.test(document));
        });

        it('declares its language, a viewport and exactly one h1', () => {
          assert.ok(document.startsWith('<!doctype html>'));
          assert.match(document, new RegExp(`<html lang="${locale}"`));
          assert.equal(tagsNamed(document, 'html').length, 1);
          assert.equal(tagsNamed(document, 'h1').length, 1);
          assert.equal(tagsNamed(document, 'main').length, 1);
          assert.ok(tagsNamed(document, 'meta').some((meta) => meta.get('name') === 'viewport'));
          const links = tagsNamed(document, 'link').filter((link) => link.get('rel') === 'stylesheet');
          assert.deepEqual(
            links.map((link) => link.get('href')),
            ['/assets/guichet.abc.css'],
          );
        });

        it('labels every visible input through for/id, with unique ids', () => {
          const ids = openingTags(document)
            .map((tag) => tag.attributes.get('id'))
            .filter((id) => id !== undefined);
          assert.equal(new Set(ids).size, ids.length, `duplicate ids: ${ids.join(', ')}`);
          const labelTargets = tagsNamed(document, 'label').map((label) => label.get('for'));
          for (const input of tagsNamed(document, 'input')) {
            if (input.get('type') === 'hidden') continue;
            const id = input.get('id');
            assert.ok(id, 'input has an id');
            assert.ok(labelTargets.includes(id), `input #${id} has a label`);
          }
          for (const target of labelTargets)
            assert.ok(ids.includes(target ?? ''), `label for=${target} points somewhere`);
        });

        it('links every alert to the control it concerns', () => {
          const alerts = openingTags(document).filter((tag) => tag.attributes.get('role') === 'alert');
          const describedBy = openingTags(document).flatMap((tag) =>
            (tag.attributes.get('aria-describedby') ?? '').split(' ').filter(Boolean),
          );
          for (const alert of alerts) {
            const id = alert.attributes.get('id');
            assert.ok(id, 'the alert has an id');
            assert.ok(describedBy.includes(id), `#${id} is referenced by aria-describedby`);
          }
          for (const id of describedBy) assert.doesNotThrow(() => textOfId(document, id), `#${id} exists`);
        });

        it('puts a CSRF token in every form it builds', () => {
          for (const form of tagsNamed(document, 'form')) {
            if (form.get('id') === 'op.logoutForm') continue; // oidc-provider's own, with its xsrf field
            assert.equal(form.get('method'), 'post');
          }
          const forms = tagsNamed(document, 'form').filter(
            (form) => form.get('id') !== 'op.logoutForm',
          ).length;
          const tokens = tagsNamed(document, 'input').filter((input) => input.get('name') === csrfFieldName);
          assert.equal(tokens.length, forms);
        });
      });
    }
  }

  it('are in French when the locale is fr, in English otherwise', () => {
    const french = allPages('fr', 'Boutique');
    const english = allPages('en', 'Shop');
    assert.match(bodyText(french['sign-in'] ?? ''), /Se connecter/);
    assert.match(bodyText(french['sign-in'] ?? ''), /Mot de passe/);
    assert.match(
      bodyText(french['sign-up with errors'] ?? ''),
      /Un compte existe déjà avec cette adresse e-mail/,
    );
    assert.match(bodyText(french.consent ?? ''), /Autoriser/);
    assert.match(bodyText(french.consent ?? ''), /Voir votre adresse e-mail/);
    assert.match(bodyText(french['logout confirm'] ?? ''), /Se déconnecter de toutes les applications/);
    assert.match(bodyText(french['signed out'] ?? ''), /Déconnexion réussie/);
    assert.match(bodyText(french['sign-in throttled'] ?? ''), /Réessayez dans 30\u00a0secondes/);
    assert.match(french['sign-in'] ?? '', /<title>Connexion · Acme<\/title>/);
    for (const [name, document] of Object.entries(french)) {
      assert.ok(!/Sign in|Password|Allow|Signed out/.test(bodyText(document)), `${name} has no English left`);
    }
    assert.match(bodyText(english['sign-in'] ?? ''), /Password/);
    assert.match(english['sign-in'] ?? '', /<title>Sign in · Acme<\/title>/);
  });
});

describe('sign-in page', () => {
  const page = { ...basics, action: '/interaction/u1/login', csrfToken: 'token-123' };

  it('asks for email and password with the autocomplete hints password managers need', () => {
    const document = renderSignIn(page);
    const inputs = new Map(tagsNamed(document, 'input').map((input) => [input.get('name'), input]));
    assert.equal(inputs.get('email')?.get('type'), 'email');
    assert.equal(inputs.get('email')?.get('autocomplete'), 'username');
    assert.equal(inputs.get('password')?.get('type'), 'password');
    assert.equal(inputs.get('password')?.get('autocomplete'), 'current-password');
    assert.equal(inputs.get(csrfFieldName)?.get('value'), 'token-123');
    assert.deepEqual(tagsNamed(document, 'form')[0]?.get('action'), '/interaction/u1/login');
    assert.ok(inputs.get('email')?.has('autofocus'));
    assert.ok(!document.includes('aria-invalid'));
    assert.ok(!document.includes('role="alert"'));
    assert.ok(tagsNamed(document, 'a').length === 0, 'no sign-up link without signupHref');
    assert.match(bodyText(document), /Use your Acme account/);
  });

  it('says which app the person continues to and links to sign-up when allowed', () => {
    const document = renderSignIn({ ...page, clientName: 'Shop', signupHref: '/interaction/u1/signup' });
    assert.match(bodyText(document), /Continue to Shop/);
    assert.deepEqual(
      tagsNamed(document, 'a').map((link) => link.get('href')),
      ['/interaction/u1/signup'],
    );
  });

  it('keeps the email, never a password, and announces a failed attempt on both fields', () => {
    const document = renderSignIn({ ...page, email: 'jane@example.com', error: 'invalid_credentials' });
    const email = tagsNamed(document, 'input').find((input) => input.get('name') === 'email');
    const password = tagsNamed(document, 'input').find((input) => input.get('name') === 'password');
    assert.equal(email?.get('value'), 'jane@example.com');
    assert.ok(!password?.has('value'));
    assert.ok(password?.has('autofocus'), 'focus goes where the person has to type');
    const alert = openingTags(document).find((tag) => tag.attributes.get('role') === 'alert');
    const alertId = alert?.attributes.get('id') ?? '';
    assert.equal(textOfId(document, alertId), 'Incorrect email or password.');
    for (const input of [email, password]) {
      assert.equal(input?.get('aria-invalid'), 'true');
      assert.ok(input?.get('aria-describedby')?.split(' ').includes(alertId));
    }
    assert.match(document, /<title>Error: Sign in · Acme<\/title>/);
  });

  it('tells how long to wait when throttled, and explains an expired form', () => {
    const throttled = renderSignIn({ ...page, error: 'throttled', retryAfterSeconds: 150 });
    assert.match(bodyText(throttled), /Too many attempts\. Try again in 3\u00a0minutes\./);
    assert.match(
      bodyText(renderSignIn({ ...page, error: 'throttled', retryAfterSeconds: 1 })),
      /in 1\u00a0second\./,
    );
    assert.match(bodyText(renderSignIn({ ...page, error: 'throttled' })), /Wait a moment/);
    assert.match(bodyText(renderSignIn({ ...page, error: 'csrf' })), /This page expired/);
    assert.ok(!throttled.includes('aria-invalid'), 'the fields are not what is wrong');
  });

  it('refuses a javascript: URL for the form or the sign-up link', () => {
    assert.throws(() => renderSignIn({ ...page, action: 'javascript:alert(1)' }));
    assert.throws(() => renderSignIn({ ...page, signupHref: 'javascript:alert(1)' }));
    assert.throws(() => renderSignIn({ ...page, signupHref: '//evil.example/x' }));
  });
});

describe('sign-up page', () => {
  const page = {
    ...basics,
    action: '/interaction/u1/signup',
    csrfToken: 'tok',
    signInHref: '/interaction/u1',
  };

  it('asks for name, email and a new password with the policy as a hint', () => {
    const document = renderSignUp(page);
    const inputs = new Map(tagsNamed(document, 'input').map((input) => [input.get('name'), input]));
    assert.equal(inputs.get('name')?.get('autocomplete'), 'name');
    assert.equal(inputs.get('email')?.get('type'), 'email');
    assert.equal(inputs.get('password')?.get('autocomplete'), 'new-password');
    assert.equal(inputs.get('password')?.get('minlength'), '8');
    const hintId = inputs.get('password')?.get('aria-describedby') ?? '';
    assert.equal(textOfId(document, hintId), 'At least 8 characters.');
    assert.deepEqual(
      tagsNamed(document, 'a').map((link) => link.get('href')),
      ['/interaction/u1'],
    );
  });

  it('shows each field error next to its field, announced and linked', () => {
    const document = renderSignUp({
      ...page,
      values: { name: 'Jane', email: 'jane@' },
      errors: { email: 'invalid', password: 'too_long' },
    });
    const inputs = new Map(tagsNamed(document, 'input').map((input) => [input.get('name'), input]));
    assert.equal(inputs.get('name')?.get('value'), 'Jane');
    assert.ok(!inputs.get('name')?.has('aria-invalid'));
    assert.equal(inputs.get('email')?.get('value'), 'jane@');
    assert.ok(inputs.get('email')?.has('autofocus'), 'focus on the first field to fix');
    const expected = { email: 'Enter a valid email address.', password: 'This password is too long.' };
    for (const [field, message] of Object.entries(expected)) {
      const input = inputs.get(field);
      assert.equal(input?.get('aria-invalid'), 'true');
      const errorId = input?.get('aria-describedby')?.split(' ')[0] ?? '';
      assert.equal(textOfId(document, errorId), message);
      assert.ok(
        openingTags(document).some(
          (tag) => tag.attributes.get('id') === errorId && tag.attributes.get('role') === 'alert',
        ),
      );
    }
    assert.match(
      bodyText(renderSignUp({ ...page, errors: { email: 'taken', name: 'required' } })),
      /already exists.*/,
    );
    assert.match(
      bodyText(renderSignUp({ ...page, errors: { password: 'too_short' } })),
      /Use at least 8 characters\./,
    );
  });
});

describe('sign-up focus', () => {
  const page = {
    ...basics,
    action: '/interaction/u1/signup',
    csrfToken: 'tok',
    signInHref: '/interaction/u1',
  };
  const focused = (document: string): string | undefined =>
    tagsNamed(document, 'input')
      .find((input) => input.has('autofocus'))
      ?.get('name');

  it('starts on the name, and resumes on the password after an expired form', () => {
    assert.equal(focused(renderSignUp(page)), 'name');
    assert.equal(
      focused(renderSignUp({ ...page, values: { name: 'Jane', email: 'j@x.io' }, error: 'csrf' })),
      'password',
    );
    assert.equal(focused(renderSignUp({ ...page, values: { name: 'Jane' } })), 'email');
    const all = renderSignUp({ ...page, errors: { password: 'too_short', name: 'required' } });
    assert.equal(tagsNamed(all, 'input').filter((input) => input.has('autofocus')).length, 1);
    assert.equal(focused(all), 'name');
  });
});

describe('consent page', () => {
  const page = {
    ...basics,
    action: '/interaction/u1/confirm',
    csrfToken: 'tok',
    clientName: 'Shop',
    accountEmail: 'jane@example.com',
  };

  it('lists the permissions in plain words and unknown scopes as they are', () => {
    const text = bodyText(
      renderConsent({
        ...page,
        scopes: ['openid', 'profile', 'email', 'offline_access', 'orders:read', 'email'],
      }),
    );
    const scopes = messagesFor('en').consent.scopes;
    for (const words of Object.values(scopes)) assert.ok(text.includes(words), words);
    assert.ok(text.includes('orders:read'));
    assert.equal(text.split(scopes.email).length, 2, 'a repeated scope is listed once');
    assert.match(text, /Signed in as jane@example\.com/);
    assert.match(text, /Shop wants to access your account/);
  });

  it('offers Allow first, then Deny in the same form', () => {
    const document = renderConsent({ ...page, scopes: ['openid'] });
    const buttons = tagsNamed(document, 'button');
    assert.deepEqual(
      buttons.map((button) => [button.get('name'), button.get('value'), button.get('class')]),
      [
        ['decision', 'allow', 'button button-primary'],
        ['decision', 'deny', 'button button-secondary'],
      ],
    );
  });

  it('posts Deny to abortHref with its own token when given', () => {
    const document = renderConsent({ ...page, scopes: ['openid'], abortHref: '/interaction/u1/abort' });
    const denyForm = tagsNamed(document, 'form').find(
      (form) => form.get('action') === '/interaction/u1/abort',
    );
    assert.ok(denyForm);
    const deny = tagsNamed(document, 'button')[1];
    assert.equal(deny?.get('form'), denyForm.get('id'));
    assert.ok(!deny?.has('name'));
  });
});

describe('consent page without an email', () => {
  it('leaves the account line out rather than showing an empty one', () => {
    const document = renderConsent({
      ...basics,
      action: '/interaction/u1/confirm',
      csrfToken: 'tok',
      clientName: 'Shop',
      scopes: ['openid'],
      accountEmail: '',
    });
    assert.ok(!document.includes('class="account"'));
    assert.ok(!bodyText(document).includes('Signed in as'));
  });
});

describe('logout confirmation', () => {
  it('embeds the provider form as-is and submits it from Yes and No', () => {
    const document = renderLogoutConfirm({ ...basics, formHtml: logoutForm, clientName: 'Shop' });
    assert.ok(document.includes(logoutForm));
    const buttons = tagsNamed(document, 'button');
    assert.deepEqual(
      buttons.map((button) => [button.get('form'), button.get('name'), button.get('value')]),
      [
        ['op.logoutForm', 'logout', 'yes'],
        ['op.logoutForm', undefined, undefined],
      ],
    );
    assert.match(bodyText(document), /Sign out of all apps\?/);
    assert.match(bodyText(document), /signed out of Shop and every other app/);
  });
});

describe('error page', () => {
  it('shows the message and code, with a default title in the page language', () => {
    const document = renderError({
      ...basics,
      locale: 'fr',
      message: 'redirect_uri invalide',
      errorCode: 'invalid_request',
    });
    assert.match(bodyText(document), /Une erreur est survenue/);
    assert.match(bodyText(document), /redirect_uri invalide/);
    assert.match(bodyText(document), /invalid_request/);
  });
});

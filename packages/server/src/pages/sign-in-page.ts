import { csrfInput, field, formAlert, formErrorText } from './form-parts.ts';
import { fillTemplate, html, safeUrl } from './html.ts';
import { type PageBasics, pageHeader, renderDocument } from './layout.ts';
import { messagesFor } from './messages.ts';

export type SignInError = 'invalid_credentials' | 'throttled' | 'csrf';

export interface SignInPage extends PageBasics {
  /** Where the form posts (fields: email, password, csrf). */
  action: string;
  csrfToken: string;
  /** Kept after a failed attempt so only the password has to be typed again. */
  email?: string;
  error?: SignInError;
  retryAfterSeconds?: number;
  /** The app that sent the person here. */
  clientName?: string;
  signupHref?: string;
}

const alertId = 'sign-in-error';

export function renderSignIn(page: SignInPage): string {
  const messages = messagesFor(page.locale);
  const text = messages.signIn;
  const errorText =
    page.error === undefined
      ? undefined
      : page.error === 'invalid_credentials'
        ? messages.errors.invalidCredentials
        : formErrorText(messages, page.error, page.retryAfterSeconds);
  const describedBy = errorText === undefined ? [] : [alertId];
  const hasEmail = page.email !== undefined && page.email !== '';
  const subtitle =
    page.clientName === undefined || page.clientName === ''
      ? fillTemplate(text.useAccount, { brand: page.brand.name })
      : fillTemplate(text.continueTo, { client: html`<strong>${page.clientName}</strong>` });

  const content = html`${pageHeader({ heading: text.heading, subtitle })}
${errorText === undefined ? '' : formAlert(alertId, errorText)}
<form class="form" method="post" action="${safeUrl(page.action)}">
${csrfInput(page.csrfToken)}
${field({
  id: 'email',
  name: 'email',
  type: 'email',
  label: text.email,
  autocomplete: 'username',
  value: page.email,
  describedBy,
  invalid: page.error === 'invalid_credentials',
  autofocus: !hasEmail,
})}
${field({
  id: 'password',
  name: 'password',
  type: 'password',
  label: text.password,
  autocomplete: 'current-password',
  describedBy,
  invalid: page.error === 'invalid_credentials',
  autofocus: hasEmail,
})}
<div class="actions"><button class="button button-primary" type="submit">${text.submit}</button></div>
</form>
${
  page.signupHref === undefined
    ? ''
    : html`<p class="switch">${text.noAccount} <a href="${safeUrl(page.signupHref)}">${text.createAccount}</a></p>`
}`;

  return renderDocument({ ...page, title: text.title, hasError: errorText !== undefined, content });
}

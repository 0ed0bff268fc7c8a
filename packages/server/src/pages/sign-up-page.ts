import { csrfInput, type FormError, field, formAlert, formErrorText } from './form-parts.ts';
import { fillTemplate, html, safeUrl } from './html.ts';
import { type PageBasics, pageHeader, renderDocument } from './layout.ts';
import { messagesFor } from './messages.ts';

export interface SignUpErrors {
  email?: 'invalid' | 'taken';
  name?: 'required';
  password?: 'too_short' | 'too_long';
}

export interface SignUpPage extends PageBasics {
  /** Where the form posts (fields: name, email, password, csrf). */
  action: string;
  csrfToken: string;
  values?: { email?: string; name?: string };
  errors?: SignUpErrors;
  /** A problem with the whole submission (expired form, too many attempts). */
  error?: FormError;
  retryAfterSeconds?: number;
  signInHref: string;
  /** The password policy shown as a hint; 8 unless the accounts domain says otherwise. */
  passwordMinLength?: number;
}

const alertId = 'sign-up-error';

export function renderSignUp(page: SignUpPage): string {
  const messages = messagesFor(page.locale);
  const text = messages.signUp;
  const errors = page.errors ?? {};
  const minLength = page.passwordMinLength ?? 8;
  const min = String(minLength);

  const nameError = errors.name === 'required' ? messages.errors.nameRequired : undefined;
  const emailError =
    errors.email === 'invalid'
      ? messages.errors.emailInvalid
      : errors.email === 'taken'
        ? messages.errors.emailTaken
        : undefined;
  const passwordError =
    errors.password === 'too_short'
      ? fillTemplate(messages.errors.passwordTooShort, { min })
      : errors.password === 'too_long'
        ? messages.errors.passwordTooLong
        : undefined;
  const formError =
    page.error === undefined ? undefined : formErrorText(messages, page.error, page.retryAfterSeconds);
  // Focus goes to the first field that needs attention, else to the first one still empty (the
  // password is never sent back, so after an expired form that is where typing resumes).
  const firstInvalid = nameError
    ? 'name'
    : emailError
      ? 'email'
      : passwordError
        ? 'password'
        : !page.values?.name
          ? 'name'
          : !page.values.email
            ? 'email'
            : 'password';
  const hasError = [formError, nameError, emailError, passwordError].some((error) => error !== undefined);
  const describedBy = formError === undefined ? [] : [alertId];

  const content = html`${pageHeader({
    heading: text.heading,
    subtitle: fillTemplate(text.subtitle, { brand: page.brand.name }),
  })}
${formError === undefined ? '' : formAlert(alertId, formError)}
<form class="form" method="post" action="${safeUrl(page.action)}">
${csrfInput(page.csrfToken)}
${field({
  id: 'name',
  name: 'name',
  type: 'text',
  label: text.name,
  autocomplete: 'name',
  value: page.values?.name,
  error: nameError,
  describedBy,
  autofocus: firstInvalid === 'name',
})}
${field({
  id: 'email',
  name: 'email',
  type: 'email',
  label: text.email,
  autocomplete: 'email',
  value: page.values?.email,
  error: emailError,
  describedBy,
  autofocus: firstInvalid === 'email',
})}
${field({
  id: 'password',
  name: 'password',
  type: 'password',
  label: text.password,
  autocomplete: 'new-password',
  error: passwordError,
  describedBy,
  hint: passwordError === undefined ? fillTemplate(text.passwordHint, { min }) : undefined,
  minLength,
  autofocus: firstInvalid === 'password',
})}
<div class="actions"><button class="button button-primary" type="submit">${text.submit}</button></div>
</form>
<p class="switch">${text.haveAccount} <a href="${safeUrl(page.signInHref)}">${text.signIn}</a></p>`;

  return renderDocument({ ...page, title: text.title, hasError, content });
}

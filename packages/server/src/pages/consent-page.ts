import { csrfInput, formAlert, formErrorText } from './form-parts.ts';
import { fillTemplate, html, type SafeHtml, safeUrl } from './html.ts';
import { type IconName, icon } from './icons.ts';
import { type PageBasics, pageHeader, renderDocument } from './layout.ts';
import { type Messages, messagesFor } from './messages.ts';

export interface ConsentPage extends PageBasics {
  /** Where the form posts: `decision=allow` or, without abortHref, `decision=deny` (plus csrf). */
  action: string;
  /** When given, Deny posts here instead (with the csrf field). */
  abortHref?: string;
  csrfToken: string;
  clientName: string;
  scopes: readonly string[];
  accountEmail: string;
  error?: 'csrf';
}

const knownScopes: Readonly<Record<string, { icon: IconName; key: keyof Messages['consent']['scopes'] }>> = {
  openid: { icon: 'identity', key: 'openid' },
  profile: { icon: 'profile', key: 'profile' },
  email: { icon: 'email', key: 'email' },
  offline_access: { icon: 'offline', key: 'offline_access' },
};

const denyFormId = 'consent-deny';
const alertId = 'consent-error';

/** One line per scope in plain words; scopes Guichet does not know are shown by their name. */
function permission(messages: Messages, scope: string): SafeHtml {
  const known = Object.hasOwn(knownScopes, scope) ? knownScopes[scope] : undefined;
  const label =
    known === undefined
      ? fillTemplate(messages.consent.otherScope, { scope: html`<code>${scope}</code>` })
      : messages.consent.scopes[known.key];
  return html`<li class="permission"><span class="permission-icon">${icon(known?.icon ?? 'key')}</span><span>${label}</span></li>`;
}

export function renderConsent(page: ConsentPage): string {
  const messages = messagesFor(page.locale);
  const text = messages.consent;
  const scopes = [...new Set(page.scopes.filter((scope) => scope !== ''))];
  const client = html`<strong>${page.clientName}</strong>`;
  const denyButton =
    page.abortHref === undefined
      ? html`<button class="button button-secondary" type="submit" name="decision" value="deny">${text.deny}</button>`
      : html`<button class="button button-secondary" type="submit" form="${denyFormId}">${text.deny}</button>`;

  const account =
    page.accountEmail === ''
      ? undefined
      : html`<span class="account"><span class="avatar" aria-hidden="true">${
          Array.from(page.accountEmail)[0]?.toLocaleUpperCase() ?? ''
        }</span><span class="account-text">${fillTemplate(text.account, { email: html`<strong>${page.accountEmail}</strong>` })}</span></span>`;

  const content = html`${pageHeader({ heading: fillTemplate(text.heading, { client: page.clientName }), subtitle: account })}
${page.error === undefined ? '' : formAlert(alertId, formErrorText(messages, page.error))}
<h2 class="section-title">${fillTemplate(text.willBeAbleTo, { client })}</h2>
<ul class="permissions">${scopes.map((scope) => permission(messages, scope))}</ul>
<p class="note">${fillTemplate(text.trust, { client })}</p>
<form class="form" method="post" action="${safeUrl(page.action)}">
${csrfInput(page.csrfToken)}
<div class="actions">
<button class="button button-primary" type="submit" name="decision" value="allow"${
    page.error === undefined ? '' : html` aria-describedby="${alertId}"`
  }>${text.allow}</button>
${denyButton}
</div>
</form>
${
  page.abortHref === undefined
    ? ''
    : html`<form id="${denyFormId}" method="post" action="${safeUrl(page.abortHref)}">${csrfInput(page.csrfToken)}</form>`
}`;

  return renderDocument({ ...page, title: text.title, hasError: page.error !== undefined, content });
}

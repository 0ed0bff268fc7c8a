import { fillTemplate, html, raw } from './html.ts';
import { icon } from './icons.ts';
import { type PageBasics, pageHeader, renderDocument } from './layout.ts';
import { messagesFor } from './messages.ts';

export interface LogoutConfirmPage extends PageBasics {
  /** The hidden form oidc-provider passes to logoutSource (its own markup, trusted). */
  formHtml: string;
  clientName?: string;
}

/** oidc-provider names its form `op.logoutForm`; read the id from the markup in case that changes. */
function formIdOf(formHtml: string): string {
  return /<form\b[^>]*\bid="([^"]+)"/.exec(formHtml)?.[1] ?? 'op.logoutForm';
}

export function renderLogoutConfirm(page: LogoutConfirmPage): string {
  const text = messagesFor(page.locale).logout;
  const formId = formIdOf(page.formHtml);
  const body =
    page.clientName === undefined || page.clientName === ''
      ? fillTemplate(text.body, { brand: page.brand.name })
      : fillTemplate(text.bodyWithClient, {
          client: html`<strong>${page.clientName}</strong>`,
          brand: page.brand.name,
        });

  // The buttons sit outside oidc-provider's form and join it through the form attribute:
  // `logout=yes` signs out everywhere, the other button only ends this logout request.
  const content = html`${pageHeader({ heading: text.heading, status: html`<div class="status status-neutral">${icon('signOut')}</div>` })}
<p class="body">${body}</p>
${raw(page.formHtml)}
<div class="actions">
<button class="button button-primary" type="submit" form="${formId}" name="logout" value="yes" autofocus>${text.confirm}</button>
<button class="button button-secondary" type="submit" form="${formId}">${text.cancel}</button>
</div>`;

  return renderDocument({ ...page, title: text.title, content });
}

import { csrfInput } from './form-parts.ts';
import { html, safeUrl } from './html.ts';
import { type PageBasics, pageHeader, renderDocument } from './layout.ts';
import { messagesFor } from './messages.ts';

export interface BusinessChoice {
  id: string;
  name: string;
}

export interface BusinessChooserPage extends PageBasics {
  /** Where the form posts `business_id` (the button pressed) and `csrf`. */
  action: string;
  csrfToken: string;
  businesses: readonly BusinessChoice[];
  /** The business chosen last time, listed first and marked. */
  lastChoice?: string;
}

/** After sign-in, a person who works for several businesses picks the one this session acts for. */
export function renderBusinessChooser(page: BusinessChooserPage): string {
  const text = messagesFor(page.locale).businessChooser;
  const ordered = [...page.businesses].sort((a, b) =>
    a.id === page.lastChoice ? -1 : b.id === page.lastChoice ? 1 : a.name.localeCompare(b.name),
  );
  const content = html`${pageHeader({ heading: text.heading, subtitle: html`${text.subtitle}` })}
<form class="form" method="post" action="${safeUrl(page.action)}">
${csrfInput(page.csrfToken)}
<ul class="choices">${ordered.map(
    (business) =>
      html`<li><button class="choice" type="submit" name="business_id" value="${business.id}"><span class="choice-name">${business.name}</span>${
        business.id === page.lastChoice ? html`<span class="choice-hint">${text.lastUsed}</span>` : ''
      }</button></li>`,
  )}</ul>
</form>`;
  return renderDocument({ ...page, title: text.title, content });
}

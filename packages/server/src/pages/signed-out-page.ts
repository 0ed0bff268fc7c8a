import { html } from './html.ts';
import { icon } from './icons.ts';
import { type PageBasics, pageHeader, renderDocument } from './layout.ts';
import { messagesFor } from './messages.ts';

export type SignedOutPage = PageBasics;

export function renderSignedOut(page: SignedOutPage): string {
  const text = messagesFor(page.locale).signedOut;
  const content = html`${pageHeader({ heading: text.heading, status: html`<div class="status status-success">${icon('check')}</div>` })}
<p class="body body-last">${text.body}</p>`;
  return renderDocument({ ...page, title: text.title, content });
}

import { fillTemplate, html } from './html.ts';
import { icon } from './icons.ts';
import { type PageBasics, pageHeader, renderDocument } from './layout.ts';
import { messagesFor } from './messages.ts';

export interface ErrorPage extends PageBasics {
  /** Defaults to "Something went wrong" in the page's language. */
  title?: string;
  /** Shown as text to the person: never a stack trace or internal detail. */
  message: string;
  /** The OAuth error code (e.g. `invalid_request`), handy when reporting the problem. */
  errorCode?: string;
}

export function renderError(page: ErrorPage): string {
  const text = messagesFor(page.locale).error;
  const title = page.title === undefined || page.title === '' ? text.heading : page.title;
  const content = html`${pageHeader({ heading: title, status: html`<div class="status status-error">${icon('alert')}</div>` })}
<p class="body message">${page.message}</p>
<p class="body">${text.hint}</p>
${
  page.errorCode === undefined || page.errorCode === ''
    ? ''
    : html`<p class="error-code">${fillTemplate(text.code, { code: html`<code>${page.errorCode}</code>` })}</p>`
}`;
  return renderDocument({ ...page, title, content });
}

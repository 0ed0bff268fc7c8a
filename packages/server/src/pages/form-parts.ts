import { csrfFieldName } from './csrf.ts';
import { html, type SafeHtml } from './html.ts';
import { icon } from './icons.ts';
import type { Messages } from './messages.ts';

/** Errors about the whole submission rather than one field. */
export type FormError = 'csrf' | 'throttled';

export function formErrorText(messages: Messages, error: FormError, retryAfterSeconds?: number): string {
  if (error === 'csrf') return messages.errors.csrf;
  return retryAfterSeconds !== undefined && Number.isFinite(retryAfterSeconds) && retryAfterSeconds > 0
    ? messages.errors.throttledFor(retryAfterSeconds)
    : messages.errors.throttled;
}

/** A banner announced on load (role=alert); fields it concerns point at `id` via aria-describedby. */
export function formAlert(id: string, text: string | SafeHtml): SafeHtml {
  return html`<div class="alert" id="${id}" role="alert">${icon('alert')}<span>${text}</span></div>`;
}

export function csrfInput(token: string): SafeHtml {
  return html`<input type="hidden" name="${csrfFieldName}" value="${token}">`;
}

export interface FieldOptions {
  id: string;
  name: string;
  type: 'text' | 'email' | 'password';
  label: string;
  autocomplete: string;
  value?: string;
  hint?: string | SafeHtml;
  error?: string | SafeHtml;
  /** Ids of other messages about this field, such as a form-level alert. */
  describedBy?: readonly string[];
  invalid?: boolean;
  autofocus?: boolean;
  minLength?: number;
}

/**
 * A labelled input. Its hint and error are linked through aria-describedby and the error is also a
 * role=alert, so it is read when the page loads and again when the field gets focus.
 */
export function field(options: FieldOptions): SafeHtml {
  const hintId = `${options.id}-hint`;
  const errorId = `${options.id}-error`;
  const describedBy = [
    ...(options.describedBy ?? []),
    ...(options.error === undefined ? [] : [errorId]),
    ...(options.hint === undefined ? [] : [hintId]),
  ];
  const invalid = options.invalid === true || options.error !== undefined;
  const emailExtras =
    options.type === 'email' ? html` inputmode="email" autocapitalize="none" spellcheck="false"` : '';
  return html`<div class="field">
<label class="label" for="${options.id}">${options.label}</label>
<input class="input" id="${options.id}" name="${options.name}" type="${options.type}" autocomplete="${options.autocomplete}"${
    options.value === undefined || options.type === 'password' ? '' : html` value="${options.value}"`
  } required${emailExtras}${options.minLength === undefined ? '' : html` minlength="${options.minLength}"`}${
    invalid ? html` aria-invalid="true"` : ''
  }${describedBy.length > 0 ? html` aria-describedby="${describedBy.join(' ')}"` : ''}${options.autofocus ? html` autofocus` : ''}>
${options.error === undefined ? '' : html`<p class="field-error" id="${errorId}" role="alert">${icon('alert')}<span>${options.error}</span></p>`}
${options.hint === undefined ? '' : html`<p class="hint" id="${hintId}">${options.hint}</p>`}
</div>`;
}

/**
 * A fragment of HTML that is already safe to emit. Only `html` templates, `raw()` and
 * `fillTemplate()` make one, so anything else that reaches a template gets escaped.
 */
export class SafeHtml {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  toString(): string {
    return this.#value;
  }
}

/** What a template accepts: nullish and `false` render nothing, so `${cond && html`...`}` works. */
export type HtmlValue = SafeHtml | string | number | null | undefined | false | readonly HtmlValue[];

const escapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for both element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => escapes[character] ?? character);
}

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.toString();
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/** Tagged template: every interpolated value is escaped unless it is already `SafeHtml`. */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let index = 0; index < values.length; index += 1) {
    out += render(values[index]) + (strings[index + 1] ?? '');
  }
  return new SafeHtml(out);
}

/** Marks a trusted fragment (e.g. the form oidc-provider builds) as safe to emit as-is. */
export function raw(trusted: string): SafeHtml {
  return new SafeHtml(trusted);
}

/**
 * Fills a translated message such as `Continue to {client}`: the message text is escaped and each
 * `{name}` is replaced by its value, escaped too unless it is `SafeHtml` (e.g. `<strong>` around a name).
 */
export function fillTemplate(template: string, values: Readonly<Record<string, HtmlValue>>): SafeHtml {
  const parts = template.split(/\{(\w+)\}/);
  let out = '';
  for (let index = 0; index < parts.length; index += 1) {
    const part = parts[index] ?? '';
    if (index % 2 === 0) out += escapeHtml(part);
    else out += part in values ? render(values[part]) : escapeHtml(`{${part}}`);
  }
  return new SafeHtml(out);
}

/**
 * Guards URLs placed in href/src/action: escaping stops breaking out of the attribute, but not a
 * `javascript:` URL, so only http(s), data: images and same-origin paths are let through.
 */
export function safeUrl(url: string): string {
  if (/^\/(?![/\\])/.test(url)) return url;
  if (/^data:image\/(png|gif|jpeg|webp|svg\+xml)[;,]/i.test(url)) return url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`not an absolute http(s) URL or a path: ${JSON.stringify(url.slice(0, 100))}`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new Error(`refusing a ${parsed.protocol} URL in a page`);
  }
  return url;
}

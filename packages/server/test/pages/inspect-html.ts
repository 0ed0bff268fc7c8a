/** Minimal, regex-based reading of the pages' own markup (attributes always double-quoted). */

export type Attributes = Map<string, string>;

const tagPattern = /<([a-zA-Z][a-zA-Z0-9]*)\b([^>]*)>/g;
const attributePattern = /([^\s=/]+)(?:="([^"]*)")?/g;

function decode(value: string): string {
  return value
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

export function parseAttributes(source: string): Attributes {
  const attributes: Attributes = new Map();
  for (const match of source.matchAll(attributePattern)) {
    attributes.set((match[1] ?? '').toLowerCase(), decode(match[2] ?? ''));
  }
  return attributes;
}

/** Every opening tag with its attributes, in document order. */
export function openingTags(document: string): { name: string; attributes: Attributes }[] {
  return [...document.matchAll(tagPattern)].map((match) => ({
    name: (match[1] ?? '').toLowerCase(),
    attributes: parseAttributes(match[2] ?? ''),
  }));
}

export function tagsNamed(document: string, name: string): Attributes[] {
  return openingTags(document)
    .filter((tag) => tag.name === name)
    .map((tag) => tag.attributes);
}

/** The text of the element with this id (tags stripped, entities decoded). */
export function textOfId(document: string, id: string): string {
  const start = document.search(new RegExp(`<(\\w+)[^>]*\\bid="${id}"[^>]*>`));
  if (start < 0) throw new Error(`no element with id ${id}`);
  const open = /^<(\w+)/.exec(document.slice(start))?.[1] ?? '';
  const end = document.indexOf(`</${open}>`, start);
  return decode(document.slice(start, end).replace(/<[^>]*>/g, '')).trim();
}

/** Visible text of the whole body, for checks on wording. */
export function bodyText(document: string): string {
  const body = document.slice(document.indexOf('<body'));
  return decode(body.replace(/<[^>]*>/g, ' '))
    .replace(/[ \t\r\n]+/g, ' ')
    .trim();
}

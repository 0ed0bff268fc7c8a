interface HeaderSetter {
  header?: (name: string, value: string) => unknown;
  setHeader?: (name: string, value: string) => unknown;
}

/**
 * Sets a header on an Express response or a Fastify reply. Both expose `header(name, value)`;
 * a bare Node response only has `setHeader`.
 */
export function setResponseHeader(response: unknown, name: string, value: string): void {
  if (typeof response !== 'object' || response === null) return;
  const target = response as HeaderSetter;
  if (typeof target.header === 'function') target.header(name, value);
  else if (typeof target.setHeader === 'function') target.setHeader(name, value);
}

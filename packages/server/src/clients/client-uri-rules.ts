import { ClientInputError } from './client-errors.ts';

/** Hosts a native app can listen on for its redirect (RFC 8252 section 7.3), so http is allowed there. */
const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]']);

export const maxClientUriLength = 2000;

function isLoopback(url: URL): boolean {
  return loopbackHosts.has(url.hostname);
}

/**
 * Checks a URI the provider will send people or tokens to (redirect, post-logout redirect, back-channel
 * logout). RFC 9700: exact matching, so no wildcards; https, except on loopback; no fragment, which
 * the authorization response would clash with. `label` names the field in the message.
 */
export function checkClientUri(label: string, value: string): URL {
  if (value.length === 0 || value.length > maxClientUriLength) {
    throw new ClientInputError(`${label} must be 1 to ${maxClientUriLength} characters`);
  }
  // The URL parser would silently drop spaces and tabs, and the registered string is what is matched.
  if (/[^\x21-\x7e]/.test(value)) {
    throw new ClientInputError(
      `${label} "${value}" must be printable ASCII without spaces (percent-encode other characters)`,
    );
  }
  if (value.includes('*')) {
    throw new ClientInputError(
      `${label} "${value}" must not contain a wildcard (*): URIs are matched exactly, register each one`,
    );
  }
  const url = URL.parse(value);
  // "https:example.com" parses too; only scheme://authority is an unambiguous absolute URL.
  if (url === null || !/^[a-z][a-z0-9+.-]*:\/\/[^/]/i.test(value)) {
    throw new ClientInputError(`${label} "${value}" is not an absolute URL (expected https://host/path)`);
  }
  if (value.includes('#')) {
    throw new ClientInputError(`${label} "${value}" must not contain a fragment (#...)`);
  }
  const secure = url.protocol === 'https:';
  const loopbackHttp = url.protocol === 'http:' && isLoopback(url);
  if (!secure && !loopbackHttp) {
    throw new ClientInputError(
      `${label} "${value}" must use https (http only for loopback hosts: localhost, 127.0.0.1, [::1])`,
    );
  }
  return url;
}

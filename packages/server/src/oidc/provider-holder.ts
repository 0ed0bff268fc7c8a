import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { JWKS } from 'oidc-provider';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * oidc-provider reads its keys once, at construction. To pick up a key rotation without a restart,
 * a new provider is built and swapped in; requests already running finish on the old one.
 */
export interface ProviderHolder {
  readonly current: Provider;
  handle: Handler;
  replaceKeys(jwks: JWKS): void;
}

export function createProviderHolder(build: (jwks: JWKS) => Provider, jwks: JWKS): ProviderHolder {
  let provider = build(jwks);
  let callback: Handler = provider.callback();
  return {
    get current() {
      return provider;
    },
    handle: (request, response) => callback(request, response),
    replaceKeys(next) {
      const replacement = build(next);
      provider = replacement;
      callback = replacement.callback();
    },
  };
}

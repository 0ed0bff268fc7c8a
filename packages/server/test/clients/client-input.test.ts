import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClientInputError } from '../../src/clients/client-errors.ts';
import { type ClientInput, validateClientInput } from '../../src/clients/client-input.ts';

function refusal(input: ClientInput): string {
  try {
    validateClientInput(input);
  } catch (error) {
    assert.ok(error instanceof ClientInputError, `expected ClientInputError, got ${String(error)}`);
    return error.message;
  }
  assert.fail(`accepted ${JSON.stringify(input)}`);
}

const app = (redirectUris: string[], extra: Partial<ClientInput> = {}): ClientInput => ({
  name: 'Shop',
  redirectUris,
  ...extra,
});

describe('client input policy', () => {
  it('accepts https redirect URIs and http only on loopback hosts (RFC 8252)', () => {
    const valid = validateClientInput(
      app([
        'https://shop.example.com/callback',
        'http://localhost:3000/cb',
        'http://127.0.0.1:8080/cb',
        'http://[::1]:9000/cb',
        'https://shop.example.com/callback',
      ]),
    );
    assert.deepEqual(valid.redirectUris, [
      'https://shop.example.com/callback',
      'http://localhost:3000/cb',
      'http://127.0.0.1:8080/cb',
      'http://[::1]:9000/cb',
    ]);
    assert.equal(valid.kind, 'confidential');
  });

  it('refuses a relative redirect URI', () => {
    assert.equal(
      refusal(app(['/callback'])),
      'redirect URI "/callback" is not an absolute URL (expected https://host/path)',
    );
    assert.match(refusal(app(['https:shop.example.com/cb'])), /is not an absolute URL/);
  });

  it('refuses a redirect URI with a fragment', () => {
    assert.equal(
      refusal(app(['https://shop.example.com/cb#done'])),
      'redirect URI "https://shop.example.com/cb#done" must not contain a fragment (#...)',
    );
  });

  it('refuses http on a host that is not loopback, and other schemes', () => {
    assert.equal(
      refusal(app(['http://shop.example.com/cb'])),
      'redirect URI "http://shop.example.com/cb" must use https (http only for loopback hosts: localhost, 127.0.0.1, [::1])',
    );
    assert.match(refusal(app(['http://localhost.example.com/cb'])), /must use https/);
    assert.match(refusal(app(['javascript://x/%0aalert(1)'])), /must use https/);
    assert.match(refusal(app(['com.example.app://callback'])), /must use https/);
  });

  it('refuses wildcards', () => {
    assert.equal(
      refusal(app(['https://*.example.com/cb'])),
      'redirect URI "https://*.example.com/cb" must not contain a wildcard (*): URIs are matched exactly, register each one',
    );
    assert.match(refusal(app(['https://shop.example.com/*'])), /must not contain a wildcard/);
  });

  it('refuses spaces, which the URL parser would silently drop', () => {
    assert.match(refusal(app([' https://shop.example.com/cb'])), /must be printable ASCII without spaces/);
  });

  it('requires a redirect URI unless the client is a service', () => {
    assert.equal(refusal(app([])), 'at least one redirect URI is required (only a service client has none)');
    assert.equal(
      refusal(app([], { public: true })),
      'at least one redirect URI is required (only a service client has none)',
    );
    assert.equal(validateClientInput(app([], { service: true })).kind, 'service');
  });

  it('refuses pairwise subjects with redirect URIs on several hosts', () => {
    assert.equal(
      refusal(app(['https://a.example.com/cb', 'https://b.example.com/cb'], { pairwise: true })),
      'a pairwise client needs all its redirect URIs on one host, found a.example.com, b.example.com: register one client per host',
    );
    // The port is part of the sector host, as oidc-provider counts it.
    assert.match(
      refusal(app(['http://localhost:3000/cb', 'http://localhost:4000/cb'], { pairwise: true })),
      /found localhost:3000, localhost:4000/,
    );
    assert.equal(
      validateClientInput(
        app(['https://a.example.com/cb', 'https://a.example.com/other'], { pairwise: true }),
      ).pairwise,
      true,
    );
  });

  it('checks the name', () => {
    assert.equal(
      refusal({ name: '   ', redirectUris: ['https://a.example/cb'] }),
      'name must be 1 to 100 characters',
    );
    assert.equal(
      refusal({ name: 'x'.repeat(101), redirectUris: ['https://a.example/cb'] }),
      'name must be 1 to 100 characters',
    );
    assert.equal(
      validateClientInput({ name: '  Shop  ', redirectUris: ['https://a.example/cb'] }).name,
      'Shop',
    );
  });

  it('keeps service clients free of browser settings', () => {
    assert.match(refusal(app(['https://a.example/cb'], { service: true })), /takes no redirect URIs/);
    assert.match(refusal(app([], { service: true, public: true })), /cannot be both service and public/);
    assert.match(refusal(app([], { service: true, pairwise: true })), /pairwise subjects do not apply/);
    assert.match(
      refusal(app([], { service: true, backchannelLogoutUri: 'https://a.example/logout' })),
      /no sign-in sessions/,
    );
  });

  it('applies the same rules to post-logout and back-channel logout URIs', () => {
    assert.match(
      refusal(app(['https://a.example/cb'], { postLogoutRedirectUris: ['http://a.example/bye'] })),
      /^post-logout redirect URI "http:\/\/a.example\/bye" must use https/,
    );
    assert.match(
      refusal(app(['https://a.example/cb'], { backchannelLogoutUri: 'https://a.example/logout#x' })),
      /^back-channel logout URI .* must not contain a fragment/,
    );
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contentSecurityPolicy } from '../../src/pages/content-security-policy.ts';

function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy.split(';').map((directive) => {
      const [name = '', ...values] = directive.trim().split(/\s+/);
      return [name, values];
    }),
  );
}

describe('contentSecurityPolicy', () => {
  it('allows no script, styles from this origin only, images from here and data:', () => {
    const policy = directives(contentSecurityPolicy());
    assert.deepEqual(policy.get('default-src'), ["'none'"]);
    assert.deepEqual(policy.get('style-src'), ["'self'"]);
    assert.deepEqual(policy.get('img-src'), ["'self'", 'data:']);
    assert.deepEqual(policy.get('form-action'), ["'self'"]);
    assert.deepEqual(policy.get('frame-ancestors'), ["'none'"]);
    assert.deepEqual(policy.get('base-uri'), ["'none'"]);
    assert.equal(policy.has('script-src'), false, 'default-src none covers scripts');
  });

  it('lets forms end on the given origins, as Chrome checks redirects after a post', () => {
    const policy = directives(
      contentSecurityPolicy([
        'https://shop.example/callback',
        'https://shop.example/other',
        'http://localhost:3000/cb',
      ]),
    );
    assert.deepEqual(policy.get('form-action'), ["'self'", 'https://shop.example', 'http://localhost:3000']);
  });

  it('can leave form-action out altogether', () => {
    assert.equal(directives(contentSecurityPolicy([], { formAction: false })).has('form-action'), false);
  });

  it('allows the logo origin for images', () => {
    const policy = directives(
      contentSecurityPolicy([], { logoUrl: 'https://cdn.acme.example/brand/logo.svg' }),
    );
    assert.deepEqual(policy.get('img-src'), ["'self'", 'data:', 'https://cdn.acme.example']);
    assert.deepEqual(directives(contentSecurityPolicy([], { logoUrl: '/logo.png' })).get('img-src'), [
      "'self'",
      'data:',
    ]);
  });

  it('refuses origins that would inject directives', () => {
    assert.throws(() => contentSecurityPolicy(["https://a.example; script-src 'unsafe-inline'"]));
    assert.throws(() => contentSecurityPolicy(['javascript:alert(1)']));
    assert.throws(() => contentSecurityPolicy(['not a url']));
  });
});

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { brandFromEnv } from '../../src/pages/brand.ts';
import { stylesheet } from '../../src/pages/stylesheet.ts';

describe('stylesheet', () => {
  const brand = brandFromEnv({});

  it('is hashed with sha256, base64url, 16 characters', () => {
    const { css, hash } = stylesheet(brand);
    assert.match(hash, /^[A-Za-z0-9_-]{16}$/);
    assert.equal(hash, createHash('sha256').update(css).digest('base64url').slice(0, 16));
    assert.equal(stylesheet(brand).hash, hash, 'stable for the same brand');
  });

  it('changes, and so does its hash, with the brand colour', () => {
    const teal = stylesheet({ ...brand, primaryColor: '#0f766e' });
    assert.notEqual(teal.hash, stylesheet(brand).hash);
    assert.ok(teal.css.includes('--primary:#0f766e;'));
    assert.ok(stylesheet(brand).css.includes(`--primary:${brand.primaryColor};`));
  });

  it('supports dark mode, moves only for people who do not ask for reduced motion, shows focus', () => {
    const { css } = stylesheet(brand);
    assert.match(css, /@media \(prefers-color-scheme:dark\)\{:root\{--page:/);
    const motionQuery = '@media (prefers-reduced-motion:no-preference){';
    const [before = '', rest = ''] = css.split(motionQuery);
    const motionBlock = rest.slice(0, rest.indexOf('\n}\n'));
    const after = rest.slice(motionBlock.length);
    assert.match(motionBlock, /animation:/);
    assert.match(motionBlock, /transition:/);
    for (const outside of [before, after])
      assert.ok(!/animation:|transition:/.test(outside), 'no motion elsewhere');
    assert.match(css, /:focus-visible\{outline:2px solid var\(--accent\)/);
    assert.match(css, /forced-colors:active/);
  });

  it('loads nothing from elsewhere: no fonts, imports or URLs', () => {
    const { css } = stylesheet(brand);
    assert.ok(!/@import|@font-face|url\(/i.test(css));
    assert.match(css, /font-family:ui-sans-serif,system-ui/);
  });

  it('refuses a brand colour that is not #rrggbb instead of writing it into the CSS', () => {
    assert.throws(() => stylesheet({ ...brand, primaryColor: 'red;}*{display:none' }));
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  brandFromEnv,
  brandInitials,
  brandTextColor,
  createBrand,
  defaultBrandColor,
} from '../../src/pages/brand.ts';
import { contrastRatio, hoverShade, textColorOn, withContrast } from '../../src/pages/color.ts';
import { palette, type Scheme } from '../../src/pages/palette.ts';

describe('brandFromEnv', () => {
  it('defaults to Guichet in indigo with no logo', () => {
    assert.deepEqual(brandFromEnv({}), { name: 'Guichet', primaryColor: defaultBrandColor });
    assert.deepEqual(brandFromEnv({ GUICHET_BRAND_NAME: '  ', GUICHET_BRAND_COLOR: '' }), {
      name: 'Guichet',
      primaryColor: defaultBrandColor,
    });
  });

  it('reads name, logo and colour', () => {
    assert.deepEqual(
      brandFromEnv({
        GUICHET_BRAND_NAME: ' Acme Shop ',
        GUICHET_BRAND_LOGO_URL: 'https://cdn.acme.example/logo.svg',
        GUICHET_BRAND_COLOR: '#0F766E',
      }),
      { name: 'Acme Shop', logoUrl: 'https://cdn.acme.example/logo.svg', primaryColor: '#0f766e' },
    );
  });

  it('builds the same brand from parsed settings', () => {
    assert.deepEqual(createBrand({ name: 'Acme', logoUrl: undefined, color: '#0F766E' }), {
      name: 'Acme',
      primaryColor: '#0f766e',
    });
    assert.deepEqual(createBrand({}), brandFromEnv({}));
    assert.throws(() => createBrand({ color: 'teal' }), /GUICHET_BRAND_COLOR/);
  });

  it('refuses a colour that is not #rrggbb', () => {
    for (const color of ['red', '#fff', '#12345g', '0f766e', '#0f766e00', 'url(x)', '#0f766e;}body{x:y']) {
      assert.throws(() => brandFromEnv({ GUICHET_BRAND_COLOR: color }), /GUICHET_BRAND_COLOR/, color);
    }
  });

  it('refuses a logo URL that could run script', () => {
    for (const url of ['javascript:alert(1)', '//evil.example/logo.png', 'data:text/html,x']) {
      assert.throws(() => brandFromEnv({ GUICHET_BRAND_LOGO_URL: url }), /GUICHET_BRAND_LOGO_URL/, url);
    }
    assert.throws(() => brandFromEnv({ GUICHET_BRAND_NAME: 'x'.repeat(81) }), /GUICHET_BRAND_NAME/);
  });
});

describe('brand colours', () => {
  it('puts white on the default indigo and dark text on a pale brand, both AA', () => {
    assert.equal(brandTextColor(brandFromEnv({})), '#ffffff');
    assert.equal(textColorOn('#facc15'), '#0b0d12');
    for (const color of [
      '#4f46e5',
      '#facc15',
      '#0f766e',
      '#ffffff',
      '#000000',
      '#777777',
      '#ff0000',
      '#00ff00',
    ]) {
      assert.ok(contrastRatio(textColorOn(color), color) >= 4.5, color);
      assert.ok(contrastRatio(textColorOn(color), hoverShade(color)) >= 4.5, `${color} on hover`);
    }
  });

  it('computes WCAG contrast ratios', () => {
    assert.equal(Math.round(contrastRatio('#000000', '#ffffff') * 100) / 100, 21);
    assert.equal(contrastRatio('#777777', '#777777'), 1);
    assert.ok(Math.abs(contrastRatio('#4f46e5', '#ffffff') - 6.29) < 0.01);
  });

  it('darkens or lightens a colour only as much as needed to reach a ratio', () => {
    assert.equal(withContrast('#4f46e5', '#ffffff', 4.5), '#4f46e5');
    const yellowLink = withContrast('#facc15', '#ffffff', 4.5);
    assert.ok(contrastRatio(yellowLink, '#ffffff') >= 4.5);
    assert.notEqual(yellowLink, '#000000');
    assert.ok(contrastRatio(withContrast('#1e1b4b', '#15171c', 4.5), '#15171c') >= 4.5);
  });

  it('derives monogram initials from the name', () => {
    assert.equal(brandInitials('Guichet'), 'G');
    assert.equal(brandInitials('Acme Shop'), 'AS');
    assert.equal(brandInitials('acme shop and co'), 'AS');
    assert.equal(brandInitials('  éclair-studio '), 'ÉS');
    assert.equal(brandInitials('(Bold) Co'), 'BC');
    assert.equal(brandInitials('🙂🙂'), '?');
  });
});

describe('palette', () => {
  const textPairs: [keyof Scheme, keyof Scheme][] = [
    ['text', 'surface'],
    ['text', 'page'],
    ['text', 'subtle'],
    ['muted', 'surface'],
    ['muted', 'subtle'],
    ['accent', 'surface'],
    ['onPrimary', 'primary'],
    ['onPrimary', 'primaryHover'],
    ['danger', 'surface'],
    ['danger', 'dangerSurface'],
    ['success', 'surface'],
  ];
  const graphicPairs: [keyof Scheme, keyof Scheme][] = [
    ['fieldBorder', 'surface'],
    ['accent', 'accentSoft'],
    ['success', 'successSurface'],
    ['danger', 'dangerSurface'],
  ];

  for (const color of [defaultBrandColor, '#facc15', '#0f766e', '#1e1b4b', '#ffffff', '#000000', '#e11d48']) {
    it(`meets WCAG AA in light and dark for ${color}`, () => {
      const schemes = palette({ name: 'x', primaryColor: color });
      for (const [mode, scheme] of Object.entries(schemes)) {
        for (const [foreground, background] of textPairs) {
          const ratio = contrastRatio(scheme[foreground], scheme[background]);
          assert.ok(ratio >= 4.5, `${mode} ${foreground} on ${background}: ${ratio.toFixed(2)}`);
        }
        for (const [foreground, background] of graphicPairs) {
          const ratio = contrastRatio(scheme[foreground], scheme[background]);
          assert.ok(ratio >= 3, `${mode} ${foreground} on ${background}: ${ratio.toFixed(2)}`);
        }
      }
    });
  }

  it('keeps the brand colour itself for the light button', () => {
    assert.equal(palette({ name: 'x', primaryColor: '#0f766e' }).light.primary, '#0f766e');
  });
});

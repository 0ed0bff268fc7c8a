import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { negotiateLocale } from '../../src/pages/locale.ts';

describe('negotiateLocale', () => {
  const cases: [string | undefined, 'en' | 'fr'][] = [
    ['fr-FR,fr;q=0.9,en;q=0.8', 'fr'],
    ['en;q=0.5, fr;q=0.4', 'en'],
    ['en;q=0.4, fr;q=0.5', 'fr'],
    ['de-DE,de;q=0.9,fr;q=0.8,en;q=0.7', 'fr'],
    ['FR-ca', 'fr'],
    ['fr;q=0, en', 'en'],
    ['fr;q=0', 'en'],
    ['de, *;q=0.5', 'en'],
    ['en;q=0, *', 'fr'],
    ['fr;q=0.8, en;q=0.8', 'fr'],
    ['fr;q=abc, en;q=0.1', 'en'],
    ['fr;q=1.5', 'en'],
    ['de, es', 'en'],
    ['', 'en'],
    [undefined, 'en'],
    ['garbage;;;,,,==', 'en'],
    ['\u0000\u00ff%%', 'en'],
  ];
  for (const [header, expected] of cases) {
    it(`${JSON.stringify(header)} -> ${expected}`, () => {
      assert.equal(negotiateLocale(header), expected);
    });
  }

  it('reads only a bounded number of entries of a huge header', () => {
    const header = `${'de;q=0.9,'.repeat(10_000)}fr`;
    assert.equal(negotiateLocale(header), 'en');
  });
});

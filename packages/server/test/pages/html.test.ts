import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  escapeHtml,
  fillTemplate,
  type HtmlValue,
  html,
  raw,
  SafeHtml,
  safeUrl,
} from '../../src/pages/html.ts';

describe('html builder', () => {
  it('escapes every interpolated string, in text and in attributes', () => {
    const name = `<img src=x onerror="alert('1')">&`;
    const out = html`<p title="${name}">${name}</p>`.toString();
    assert.equal(
      out,
      '<p title="&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;">&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;</p>',
    );
  });

  it('emits SafeHtml and raw() fragments as they are, and nests templates', () => {
    const inner = html`<strong>${'a<b'}</strong>`;
    assert.ok(inner instanceof SafeHtml);
    assert.equal(html`<p>${inner}${raw('<br>')}</p>`.toString(), '<p><strong>a&lt;b</strong><br></p>');
  });

  it('renders arrays item by item and skips null, undefined and false', () => {
    const items: HtmlValue[] = ['<a>', html`<b>`, null, undefined, false, 0];
    assert.equal(html`${items}|${null}|${undefined}|${false}|${42}`.toString(), '&lt;a&gt;<b>0||||42');
  });

  it('does not trust an object that merely looks like SafeHtml', () => {
    const impostor = { toString: () => '<script>' } as unknown as SafeHtml;
    assert.equal(html`${impostor}`.toString(), '&lt;script&gt;');
  });

  it('escapes the five HTML-significant characters', () => {
    assert.equal(escapeHtml(`&<>"'`), '&amp;&lt;&gt;&quot;&#39;');
    assert.equal(escapeHtml('plain text é'), 'plain text é');
  });
});

describe('fillTemplate', () => {
  it('escapes the template text and string values, keeps SafeHtml values', () => {
    const out = fillTemplate('Continue to {client} <now>', { client: html`<strong>${'<i>'}</strong>` });
    assert.equal(out.toString(), 'Continue to <strong>&lt;i&gt;</strong> &lt;now&gt;');
    assert.equal(fillTemplate('{a} and {a}', { a: '"x"' }).toString(), '&quot;x&quot; and &quot;x&quot;');
  });

  it('leaves an unknown placeholder visible rather than dropping it', () => {
    assert.equal(fillTemplate('Hi {who}', {}).toString(), 'Hi {who}');
  });
});

describe('safeUrl', () => {
  it('lets through paths, http(s) URLs and data: images', () => {
    for (const url of [
      '/interaction/abc',
      '/',
      'https://example.com/x?y=1',
      'http://localhost:3000',
      'data:image/png;base64,AA==',
    ]) {
      assert.equal(safeUrl(url), url);
    }
  });

  it('refuses script URLs, protocol-relative URLs and relative junk', () => {
    for (const url of [
      'javascript:alert(1)',
      'JAVASCRIPT:alert(1)',
      'data:text/html,<script>',
      '//evil.example',
      '/\\evil.example',
      'vbscript:x',
      'nope',
    ]) {
      assert.throws(() => safeUrl(url), Error, url);
    }
  });
});

import { html } from '@guichet-examples/relying-party';
import { layout } from './layout.ts';

/** What someone not signed in sees. */
export function renderLanding(): string {
  return layout(
    'The Shop',
    html`<section class="hero">
<h1>Everything your business sells, in one place</h1>
<p>Sign in with your company account to see and add the products of the business you work for.</p>
<a class="button" href="/login">Sign in</a>
</section>`,
  );
}

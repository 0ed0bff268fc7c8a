import { html, raw, type SafeHtml } from './html.ts';

// Stroke icons drawn inline (the shapes are constants, never input, hence raw), so the pages need no image requests; presentation attributes are
// not styles, so `style-src 'self'` still holds.
const shapes = {
  alert: '<circle cx="12" cy="12" r="9.5"/><path d="M12 7.5v5M12 16.25v.01"/>',
  check: '<path d="m5 12.5 4.5 4.5L19 7.5"/>',
  identity:
    '<path d="M12 21.5s7.5-3.5 7.5-9.5V5.5L12 2.5l-7.5 3V12c0 6 7.5 9.5 7.5 9.5z"/><path d="m9 12 2 2 4-4"/>',
  profile: '<circle cx="12" cy="8" r="4"/><path d="M4.5 20.5a7.5 7.5 0 0 1 15 0"/>',
  email: '<rect x="2.5" y="4.5" width="19" height="15" rx="2.5"/><path d="m3 7 9 6 9-6"/>',
  offline: '<path d="M20.5 12a8.5 8.5 0 1 1-2.6-6.1L20.5 8.5"/><path d="M20.5 3.5v5h-5"/>',
  key: '<circle cx="8" cy="15" r="5"/><path d="m11.5 11.5 9-9M16.5 6.5l3 3"/>',
  signOut:
    '<path d="M9.5 20.5h-4a2 2 0 0 1-2-2v-13a2 2 0 0 1 2-2h4"/><path d="m15.5 16.5 4.5-4.5-4.5-4.5M20 12H9.5"/>',
} as const;

export type IconName = keyof typeof shapes;

export function icon(name: IconName): SafeHtml {
  return html`<svg class="icon" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">${raw(shapes[name])}</svg>`;
}

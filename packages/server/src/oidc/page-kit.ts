import type { Brand } from '../pages/brand.ts';
import { negotiateLocale } from '../pages/locale.ts';
import { stylesheet } from '../pages/stylesheet.ts';

/** What every page of the sign-in experience needs besides its own data. */
export interface PageKit {
  brand: Brand;
  stylesheetHref: string;
  css: string;
  csrfKey: Buffer;
  signupOpen: boolean;
  localeOf(acceptLanguage: string | undefined): 'en' | 'fr';
}

export function createPageKit(options: { brand: Brand; csrfKey: Buffer; signupOpen: boolean }): PageKit {
  const { css, hash } = stylesheet(options.brand);
  return {
    brand: options.brand,
    css,
    stylesheetHref: `/assets/guichet.${hash}.css`,
    csrfKey: options.csrfKey,
    signupOpen: options.signupOpen,
    localeOf: negotiateLocale,
  };
}

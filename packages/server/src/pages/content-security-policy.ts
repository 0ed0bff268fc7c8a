/** An http(s) origin, normalised; anything else would let a caller smuggle directives in. */
function originOf(url: string): string {
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new Error(`not an http(s) origin: ${JSON.stringify(url.slice(0, 100))}`);
  }
  return parsed.origin;
}

export interface ContentSecurityPolicyOptions {
  /** The brand logo: when it lives on another origin, img-src has to allow that origin. */
  logoUrl?: string;
  /**
   * false leaves form-action out altogether, for a page whose post ends in a redirect to an origin
   * not known in advance.
   */
  formAction?: boolean;
}

/**
 * The CSP for the sign-in pages: no script at all, styles only from the stylesheet, images from
 * this origin, data: (the monogram icon) and the logo's origin.
 *
 * `formTargets` are the origins a form post may end up on besides this one. Chrome applies
 * form-action to every redirect that follows a post, and after sign-in, consent or logout the
 * browser is redirected to the app (a client's redirect URI or post-logout URI, often on another
 * origin): pass those origins, or `formAction: false`.
 */
export function contentSecurityPolicy(
  formTargets: readonly string[] = [],
  options: ContentSecurityPolicyOptions = {},
): string {
  const logoOrigin =
    options.logoUrl !== undefined && /^https?:/i.test(options.logoUrl) ? [originOf(options.logoUrl)] : [];
  const directives = [
    "default-src 'none'",
    "style-src 'self'",
    ['img-src', "'self'", 'data:', ...new Set(logoOrigin)].join(' '),
    ...(options.formAction === false
      ? []
      : [['form-action', "'self'", ...new Set(formTargets.map(originOf))].join(' ')]),
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ];
  return directives.join('; ');
}

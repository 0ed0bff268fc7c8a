/** Reads one cookie from a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index < 0) continue;
    if (part.slice(0, index).trim() === name) return decodeURIComponent(part.slice(index + 1).trim());
  }
  return undefined;
}

/**
 * The session cookie: HttpOnly so no script reads it, SameSite=Lax so no other site can post a form
 * with it (the apps' only CSRF defence, enough for same-site form posts), Secure over HTTPS.
 */
export function sessionCookie(name: string, id: string, options: { secure: boolean }): string {
  return [`${name}=${id}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', ...(options.secure ? ['Secure'] : [])].join(
    '; ',
  );
}

export function clearedCookie(name: string, options: { secure: boolean }): string {
  return [
    `${name}=`,
    'Path=/',
    'HttpOnly',
    'SameSite=Lax',
    'Max-Age=0',
    ...(options.secure ? ['Secure'] : []),
  ].join('; ');
}

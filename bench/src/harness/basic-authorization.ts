/**
 * The Authorization header of client_secret_basic. RFC 6749 §2.3.1 form-encodes the id and secret
 * before joining them; oidc-provider decodes them that way.
 */
export function basicAuthorization(clientId: string, clientSecret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replaceAll('%20', '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
}

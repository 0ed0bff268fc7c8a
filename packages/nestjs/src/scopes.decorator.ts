import { SetMetadata } from '@nestjs/common';
import { SCOPES_METADATA } from './metadata-keys.ts';

/**
 * Requires every listed OAuth scope. Scopes on the controller and on the handler add up.
 * A token without them gets 403 with `WWW-Authenticate: Bearer error="insufficient_scope"`.
 */
export const Scopes = (...scopes: string[]): ClassDecorator & MethodDecorator =>
  SetMetadata(SCOPES_METADATA, scopes);

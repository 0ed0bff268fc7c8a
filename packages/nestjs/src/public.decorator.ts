import { SetMetadata } from '@nestjs/common';
import { PUBLIC_METADATA } from './metadata-keys.ts';

/**
 * Marks a route (or every route of a controller) as open: the guard lets the request through
 * without a token and does not authenticate it, so `@CurrentUser()` is `undefined` there.
 */
export const Public = (): ClassDecorator & MethodDecorator => SetMetadata(PUBLIC_METADATA, true);

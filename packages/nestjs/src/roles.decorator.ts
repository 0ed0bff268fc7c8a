import { SetMetadata } from '@nestjs/common';
import { ROLES_METADATA } from './metadata-keys.ts';

/**
 * Requires at least one of the listed roles in the person's active business. Roles on the
 * handler replace those on the controller. Without one of them the request gets 403.
 */
export const Roles = (...roles: string[]): ClassDecorator & MethodDecorator =>
  SetMetadata(ROLES_METADATA, roles);

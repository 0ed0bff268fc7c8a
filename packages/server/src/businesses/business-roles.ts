import { InvalidBusinessInputError } from './business-errors.ts';

/** The roles every deployment understands; apps may add their own names. */
export const builtInRoles = ['owner', 'admin', 'member'] as const;
export type BuiltInRole = (typeof builtInRoles)[number];

/** A custom role name: short, lower-case, safe in URLs, claims and log lines. */
export const roleNamePattern = /^[a-z][a-z0-9_-]{0,39}$/;
export const maxRolesPerMembership = 20;

export function isRoleName(role: string): boolean {
  return roleNamePattern.test(role);
}

/** The roles as stored: each checked, duplicates dropped, order kept; at least one. */
export function checkedRoles(roles: readonly string[]): string[] {
  if (roles.length === 0) throw new InvalidBusinessInputError('roles', 'at least one role is required');
  const invalid = roles.find((role) => !isRoleName(role));
  if (invalid !== undefined)
    throw new InvalidBusinessInputError(
      'roles',
      `role ${JSON.stringify(invalid.slice(0, 60))} is not a role name: use owner, admin, member or a name matching ${roleNamePattern.source}`,
    );
  const unique = [...new Set(roles)];
  if (unique.length > maxRolesPerMembership)
    throw new InvalidBusinessInputError('roles', `at most ${maxRolesPerMembership} roles per membership`);
  return unique;
}

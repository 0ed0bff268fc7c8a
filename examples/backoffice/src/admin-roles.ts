/** Roles that may see the member list: the back office's `@Roles('owner', 'admin')`. */
export const adminRoles: readonly string[] = ['owner', 'admin'];

export function isAdmin(roles: readonly string[]): boolean {
  return roles.some((role) => adminRoles.includes(role));
}

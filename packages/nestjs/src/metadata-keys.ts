// Route metadata written by the decorators and read by the guard.
export const PUBLIC_METADATA = 'guichet:public';
export const SCOPES_METADATA = 'guichet:scopes';
export const ROLES_METADATA = 'guichet:roles';

import type { Account } from './account-store.ts';

/** An account as the admin API and the CLI show it: JSON-ready, and with no password hash to leak. */
export interface UserView {
  id: string;
  email: string;
  name: string;
  createdAt: string;
  disabledAt: string | null;
}

export function toUserView(account: Account): UserView {
  return {
    id: account.id,
    email: account.email,
    name: account.name,
    createdAt: account.createdAt.toISOString(),
    disabledAt: account.disabledAt?.toISOString() ?? null,
  };
}

export interface UserPage {
  users: UserView[];
  next: string | null;
}

/** JSON schema of UserView; additionalProperties false makes the serializer drop anything else. */
export const userViewSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'email', 'name', 'createdAt', 'disabledAt'],
  properties: {
    id: { type: 'string' },
    email: { type: 'string' },
    name: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    disabledAt: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

import type { Member } from './membership-store.ts';

/** A member of a business as the admin API and the CLI show it: JSON-ready. */
export interface MemberView {
  businessId: string;
  accountId: string;
  email: string;
  name: string;
  roles: string[];
  createdAt: string;
  updatedAt: string;
}

export function toMemberView(member: Member): MemberView {
  return {
    businessId: member.businessId,
    accountId: member.accountId,
    email: member.email,
    name: member.name,
    roles: member.roles,
    createdAt: member.createdAt.toISOString(),
    updatedAt: member.updatedAt.toISOString(),
  };
}

export const memberViewSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['businessId', 'accountId', 'email', 'name', 'roles', 'createdAt', 'updatedAt'],
  properties: {
    businessId: { type: 'string' },
    accountId: { type: 'string' },
    email: { type: 'string' },
    name: { type: 'string' },
    roles: { type: 'array', items: { type: 'string' } },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const memberListViewSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['members'],
  properties: { members: { type: 'array', items: memberViewSchema } },
} as const;

import { maxBusinessPageSize } from './business-store.ts';

/*
 * Bounds on the wire only: the domain's own checks (name, slug and role rules) give the precise
 * messages, so these just keep absurd input from reaching them.
 */

export const createBusinessBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string', maxLength: 1024 },
    slug: { type: 'string', maxLength: 256 },
  },
} as const;

export const addMemberBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['roles'],
  properties: {
    email: { type: 'string', maxLength: 1024 },
    accountId: { type: 'string', maxLength: 128 },
    roles: { type: 'array', maxItems: 100, items: { type: 'string', maxLength: 128 } },
  },
} as const;

export const listBusinessesQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: maxBusinessPageSize, default: 50 },
    after: { type: 'string', minLength: 1, maxLength: 128 },
  },
} as const;

/** `id` is the business id or its slug. */
export const businessParamsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 128 } },
} as const;

export const memberParamsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'accountId'],
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 128 },
    accountId: { type: 'string', minLength: 1, maxLength: 128 },
  },
} as const;

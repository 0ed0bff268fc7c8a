import type { Business, BusinessPage } from './business-store.ts';

/** A business as the admin API and the CLI show it: JSON-ready. */
export interface BusinessView {
  id: string;
  name: string;
  slug: string;
  createdAt: string;
  updatedAt: string;
}

export interface BusinessPageView {
  businesses: BusinessView[];
  next: string | null;
}

export function toBusinessView(business: Business): BusinessView {
  return {
    id: business.id,
    name: business.name,
    slug: business.slug,
    createdAt: business.createdAt.toISOString(),
    updatedAt: business.updatedAt.toISOString(),
  };
}

export function toBusinessPageView(page: BusinessPage): BusinessPageView {
  return { businesses: page.businesses.map(toBusinessView), next: page.next };
}

/** JSON schema of BusinessView; additionalProperties false makes the serializer drop anything else. */
export const businessViewSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'slug', 'createdAt', 'updatedAt'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    slug: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const businessPageViewSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['businesses', 'next'],
  properties: {
    businesses: { type: 'array', items: businessViewSchema },
    next: { type: ['string', 'null'] },
  },
} as const;

import {
  maxFileBytes,
  maxFilesPerCommit,
  maxPixelsLimit,
  maxSideLimit,
  maxVariantSide,
  purposeNamePattern,
  variantNamePattern,
} from './purpose-input.ts';

const variantSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'width', 'height'],
  properties: {
    name: { type: 'string', pattern: variantNamePattern },
    width: { type: 'integer', minimum: 1, maximum: maxVariantSide },
    height: { type: 'integer', minimum: 1, maximum: maxVariantSide },
    fit: { type: 'string', enum: ['cover', 'contain', 'inside'], default: 'cover' },
    format: { type: 'string', enum: ['webp', 'jpeg', 'png', 'avif'], default: 'webp' },
  },
} as const;

export const purposeParamsSchema = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', pattern: purposeNamePattern } },
} as const;

export const purposeBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['types', 'maxBytes', 'maxCount'],
  properties: {
    types: {
      type: 'array',
      minItems: 1,
      maxItems: 32,
      items: { type: 'string', minLength: 3, maxLength: 100 },
    },
    maxBytes: { type: 'integer', minimum: 1, maximum: maxFileBytes },
    maxCount: { type: 'integer', minimum: 1, maximum: maxFilesPerCommit },
    maxPixels: { type: ['integer', 'null'], minimum: 1, maximum: maxPixelsLimit },
    maxWidth: { type: ['integer', 'null'], minimum: 1, maximum: maxSideLimit },
    maxHeight: { type: ['integer', 'null'], minimum: 1, maximum: maxSideLimit },
    variants: { type: 'array', maxItems: 8, items: variantSchema },
  },
} as const;

export const purposeViewSchema = {
  type: 'object',
  required: ['name', 'types', 'maxBytes', 'maxCount', 'maxPixels', 'maxWidth', 'maxHeight', 'variants'],
  properties: {
    name: { type: 'string' },
    types: { type: 'array', items: { type: 'string' } },
    maxBytes: { type: 'integer' },
    maxCount: { type: 'integer' },
    maxPixels: { type: ['integer', 'null'] },
    maxWidth: { type: ['integer', 'null'] },
    maxHeight: { type: ['integer', 'null'] },
    variants: { type: 'array', items: variantSchema },
  },
} as const;

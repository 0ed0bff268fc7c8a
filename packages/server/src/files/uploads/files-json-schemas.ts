import { problemSchema } from '../../http/problem-details.ts';
import { maxFileBytes, maxFilesPerCommit, variantNamePattern } from '../purposes/purpose-input.ts';
import { fileViewProperties, fileViewSchema } from './file-view.ts';

const fileId = { type: 'string', pattern: '^fil_[a-z2-7]{26}$' } as const;

export const createUploadBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['purpose', 'filename'],
  properties: {
    purpose: { type: 'string', minLength: 1, maxLength: 63 },
    filename: { type: 'string', minLength: 1, maxLength: 255 },
    size: { type: 'integer', minimum: 0, maximum: maxFileBytes, description: 'exact byte count, when known' },
    contentType: {
      type: 'string',
      maxLength: 127,
      pattern: '^[a-zA-Z0-9!#$&^_.+-]+/[a-zA-Z0-9!#$&^_.+-]+$',
      description: 'informative only: the type is sniffed from the bytes at commit',
    },
  },
} as const;

export const uploadCreatedSchema = {
  type: 'object',
  required: ['id', 'url', 'method', 'headers', 'expiresAt', 'maxBytes'],
  properties: {
    id: { type: 'string' },
    url: { type: 'string', description: 'where to PUT the bytes' },
    method: { type: 'string', enum: ['PUT'] },
    headers: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description: 'headers to send with the PUT, as they are',
    },
    expiresAt: { type: 'string', format: 'date-time', description: 'when the URL stops working' },
    maxBytes: { type: 'integer' },
  },
} as const;

export const commitBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['uploads'],
  properties: {
    uploads: { type: 'array', minItems: 1, maxItems: maxFilesPerCommit, items: fileId },
  },
} as const;

export const commitResponseSchema = {
  type: 'object',
  required: ['files'],
  properties: { files: { type: 'array', items: fileViewSchema } },
} as const;

export const commitRefusedSchema = {
  ...problemSchema,
  properties: {
    ...problemSchema.properties,
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'reason', 'detail'],
        properties: {
          id: { type: 'string' },
          reason: {
            type: 'string',
            enum: [
              'not_found',
              'not_staged',
              'missing_bytes',
              'too_large',
              'size_mismatch',
              'type_not_allowed',
              'image_too_large',
              'unreadable_image',
              'too_many',
            ],
          },
          detail: { type: 'string' },
        },
      },
    },
  },
} as const;

export const fileParamsSchema = {
  type: 'object',
  required: ['id'],
  properties: { id: fileId },
} as const;

export const downloadQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { variant: { type: 'string', pattern: variantNamePattern } },
} as const;

export const downloadableFileSchema = {
  type: 'object',
  required: [...Object.keys(fileViewProperties), 'url', 'urlExpiresAt'],
  properties: {
    ...fileViewProperties,
    url: { type: 'string', description: 'signed GET URL of the file or the requested variant' },
    urlExpiresAt: { type: 'string', format: 'date-time' },
  },
} as const;

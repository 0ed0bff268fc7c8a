import { maxKeepPreviousSeconds } from './rotation-window.ts';
import { rsaModulusLengths, signingAlgorithms } from './signing-algorithms.ts';
import { signingKeyStates } from './signing-key-state.ts';

const nullableDateTime = { type: ['string', 'null'], format: 'date-time' } as const;
const algorithm = { type: 'string', enum: signingAlgorithms } as const;

/**
 * One key's metadata. Fastify serialises only the listed properties, so even a row carrying key
 * material could not leak it through a response.
 */
export const signingKeyViewSchema = {
  type: 'object',
  required: ['kid', 'alg', 'state', 'createdAt', 'activatedAt', 'retireAfter'],
  additionalProperties: false,
  properties: {
    kid: { type: 'string' },
    alg: algorithm,
    state: { type: 'string', enum: signingKeyStates },
    createdAt: { type: 'string', format: 'date-time' },
    activatedAt: nullableDateTime,
    retireAfter: nullableDateTime,
  },
} as const;

export const signingKeyListSchema = {
  type: 'object',
  required: ['keys'],
  additionalProperties: false,
  properties: { keys: { type: 'array', items: signingKeyViewSchema } },
} as const;

/** The fields of POST /keys/rotate. */
export const rotateFields = ['keepPreviousForSeconds', 'rsaModulusLength'] as const;

/** Body of POST /keys/rotate; every field optional, and the body itself may be left out. */
export const rotateBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    keepPreviousForSeconds: { type: 'integer', minimum: 0, maximum: maxKeepPreviousSeconds },
    rsaModulusLength: { type: 'integer', enum: rsaModulusLengths },
  },
} as const;

export const rotationResultSchema = {
  type: 'object',
  required: ['rotated', 'previous', 'announced'],
  additionalProperties: false,
  properties: {
    rotated: {
      type: 'array',
      items: {
        type: 'object',
        required: ['alg', 'kid'],
        additionalProperties: false,
        properties: { alg: algorithm, kid: { type: 'string' } },
      },
    },
    previous: {
      type: 'array',
      items: {
        type: 'object',
        required: ['alg', 'kid', 'retireAfter'],
        additionalProperties: false,
        properties: {
          alg: algorithm,
          kid: { type: 'string' },
          retireAfter: { type: 'string', format: 'date-time' },
        },
      },
    },
    announced: { type: 'boolean' },
  },
} as const;

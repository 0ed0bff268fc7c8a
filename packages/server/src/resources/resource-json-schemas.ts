import { accessTokenFormats, maxAccessTokenTtl, minAccessTokenTtl } from './access-token-format.ts';
import { contentEncryptions, keyManagementAlgorithms } from './encryption-key.ts';
import { maxAudienceLength } from './resource-audience.ts';
import { maxResourceScopes } from './resource-scopes.ts';
import { maxResourceServerNameLength } from './resource-server-input.ts';

/** The fields of POST /resources, mirroring ResourceServerInput. */
export const createResourceServerFields = [
  'audience',
  'format',
  'name',
  'scopes',
  'accessTokenTtl',
  'encryptionKey',
  'encryptionAlg',
  'encryptionEnc',
] as const;

/**
 * Body of POST /resources. Fastify's validator strips unknown fields silently, so the route refuses them
 * before validation (see refuseUnknownFields). The key is left open on purpose: were its private members
 * stripped silently, a pasted private key would look accepted; the domain refuses it with a message.
 */
export const createResourceServerBodySchema = {
  type: 'object',
  required: ['audience', 'format'],
  additionalProperties: false,
  properties: {
    audience: { type: 'string', minLength: 1, maxLength: maxAudienceLength },
    format: { type: 'string', enum: accessTokenFormats },
    // Only a memory bound: the domain trims the name and gives the precise message.
    name: { type: 'string', maxLength: maxResourceServerNameLength * 4 },
    scopes: { type: 'array', maxItems: maxResourceScopes, items: { type: 'string', maxLength: 128 } },
    accessTokenTtl: { type: 'integer', minimum: minAccessTokenTtl, maximum: maxAccessTokenTtl },
    encryptionKey: { type: 'object', maxProperties: 50 },
    encryptionAlg: { type: 'string', enum: keyManagementAlgorithms },
    encryptionEnc: { type: 'string', enum: contentEncryptions },
  },
} as const;

/** The audience as the rest of the path (see resourcesAdminRoutes), decoded. */
export const audienceParamsSchema = {
  type: 'object',
  required: ['*'],
  properties: { '*': { type: 'string', minLength: 1, maxLength: maxAudienceLength } },
} as const;

/** Only public members are listed: serialisation drops anything else, so no private member can slip out. */
const publicJwkSchema = {
  type: 'object',
  required: ['kty', 'kid', 'alg', 'use'],
  additionalProperties: false,
  properties: {
    kty: { type: 'string' },
    crv: { type: 'string' },
    x: { type: 'string' },
    y: { type: 'string' },
    n: { type: 'string' },
    e: { type: 'string' },
    kid: { type: 'string' },
    alg: { type: 'string' },
    use: { type: 'string' },
  },
} as const;

export const resourceServerViewSchema = {
  type: 'object',
  required: ['audience', 'name', 'format', 'scopes', 'access_token_ttl', 'created_at', 'updated_at'],
  additionalProperties: false,
  properties: {
    audience: { type: 'string' },
    name: { type: ['string', 'null'] },
    format: { type: 'string', enum: accessTokenFormats },
    scopes: { type: 'array', items: { type: 'string' } },
    access_token_ttl: { type: 'integer' },
    encryption_key: publicJwkSchema,
    encryption_alg: { type: 'string' },
    encryption_enc: { type: 'string' },
    created_at: { type: 'string', format: 'date-time' },
    updated_at: { type: 'string', format: 'date-time' },
  },
} as const;

export const resourceServerListSchema = {
  type: 'object',
  required: ['resources'],
  additionalProperties: false,
  properties: { resources: { type: 'array', items: resourceServerViewSchema } },
} as const;

import { maxClientNameLength, maxClientUris } from './client-input.ts';
import { clientKinds } from './client-metadata.ts';
import { maxClientUriLength } from './client-uri-rules.ts';

const uri = { type: 'string', minLength: 1, maxLength: maxClientUriLength } as const;
const uriList = { type: 'array', maxItems: maxClientUris, items: uri } as const;
const strings = { type: 'array', items: { type: 'string' } } as const;

/** The fields of POST /clients, mirroring ClientInput. */
export const createClientFields = [
  'name',
  'redirectUris',
  'public',
  'service',
  'postLogoutRedirectUris',
  'backchannelLogoutUri',
  'firstParty',
  'pairwise',
  'idTokenEncryptionKey',
] as const;

/**
 * Body of POST /clients. Fastify's validator strips unknown fields silently, so the route refuses them
 * before validation (see refuseUnknownFields): a typo such as "pubic" must not register another kind of client.
 */
export const createClientBodySchema = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    // Only a memory bound: validateClientInput trims the name and gives the precise message.
    name: { type: 'string', maxLength: maxClientNameLength * 4 },
    redirectUris: { ...uriList, default: [] },
    public: { type: 'boolean' },
    service: { type: 'boolean' },
    postLogoutRedirectUris: uriList,
    backchannelLogoutUri: uri,
    firstParty: { type: 'boolean' },
    pairwise: { type: 'boolean' },
    idTokenEncryptionKey: { type: 'object' },
  },
} as const;

export const clientIdParamsSchema = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

const clientViewProperties = {
  client_id: { type: 'string' },
  name: { type: 'string' },
  kind: { type: 'string', enum: clientKinds },
  first_party: { type: 'boolean' },
  redirect_uris: strings,
  post_logout_redirect_uris: strings,
  grant_types: strings,
  response_types: strings,
  token_endpoint_auth_method: { type: 'string' },
  subject_type: { type: 'string' },
  backchannel_logout_uri: { type: 'string' },
  created_at: { type: 'string', format: 'date-time' },
  updated_at: { type: 'string', format: 'date-time' },
} as const;

const clientViewRequired = [
  'client_id',
  'name',
  'kind',
  'first_party',
  'redirect_uris',
  'post_logout_redirect_uris',
  'grant_types',
  'response_types',
  'token_endpoint_auth_method',
  'subject_type',
  'created_at',
  'updated_at',
] as const;

/** A client without its secret. Serialisation keeps only the listed properties, so no secret slips out. */
export const clientViewSchema = {
  type: 'object',
  required: clientViewRequired,
  properties: clientViewProperties,
} as const;

/** A client with its secret: the answer to creation and rotation only. */
export const clientWithSecretSchema = {
  type: 'object',
  required: clientViewRequired,
  properties: { ...clientViewProperties, client_secret: { type: 'string' } },
} as const;

export const clientListSchema = {
  type: 'object',
  required: ['clients'],
  properties: { clients: { type: 'array', items: clientViewSchema } },
} as const;

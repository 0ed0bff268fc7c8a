/** JSON schemas of the interaction routes: bounded strings, no extra fields. */
export const interactionParams = {
  type: 'object',
  required: ['uid'],
  properties: { uid: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' } },
} as const;

/** Optional here: a missing token is refused like a wrong one (403 and the form again), not as a malformed body. */
const csrf = { type: 'string', maxLength: 128 } as const;

export const signInBody = {
  type: 'object',
  required: ['email', 'password'],
  properties: {
    email: { type: 'string', maxLength: 320 },
    password: { type: 'string', maxLength: 1024 },
    csrf,
  },
} as const;

export const signUpBody = {
  type: 'object',
  required: ['email', 'name', 'password'],
  properties: {
    email: { type: 'string', maxLength: 320 },
    name: { type: 'string', maxLength: 200 },
    password: { type: 'string', maxLength: 1024 },
    csrf,
  },
} as const;

export const consentBody = {
  type: 'object',
  required: ['decision'],
  properties: { decision: { type: 'string', enum: ['allow', 'deny'] }, csrf },
} as const;

export const businessBody = {
  type: 'object',
  required: ['business_id'],
  properties: { business_id: { type: 'string', minLength: 1, maxLength: 64 }, csrf },
} as const;

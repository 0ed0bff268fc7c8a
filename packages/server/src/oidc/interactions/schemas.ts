/** JSON schemas of the interaction routes: bounded strings, no extra fields. */
export const interactionParams = {
  type: 'object',
  required: ['uid'],
  properties: { uid: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' } },
} as const;

const csrf = { type: 'string', minLength: 1, maxLength: 128 } as const;

export const signInBody = {
  type: 'object',
  required: ['email', 'password', 'csrf'],
  properties: {
    email: { type: 'string', maxLength: 320 },
    password: { type: 'string', maxLength: 1024 },
    csrf,
  },
} as const;

export const signUpBody = {
  type: 'object',
  required: ['email', 'name', 'password', 'csrf'],
  properties: {
    email: { type: 'string', maxLength: 320 },
    name: { type: 'string', maxLength: 200 },
    password: { type: 'string', maxLength: 1024 },
    csrf,
  },
} as const;

export const consentBody = {
  type: 'object',
  required: ['decision', 'csrf'],
  properties: { decision: { type: 'string', enum: ['allow', 'deny'] }, csrf },
} as const;

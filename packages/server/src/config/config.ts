import path from 'node:path';
import { z } from 'zod';

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'expected true or false' })
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const portNumber = z
  .string()
  .regex(/^\d+$/, { error: 'expected an integer between 1 and 65535' })
  .transform(Number)
  .pipe(
    z.number().int().min(1, { error: 'expected an integer between 1 and 65535' }).max(65535, {
      error: 'expected an integer between 1 and 65535',
    }),
  );

const httpUrl = (what: string) =>
  z
    .url({ protocol: /^https?$/, error: `not an http(s) URL${what}` })
    .transform((value) => value.replace(/\/+$/, ''));

function wholeSeconds(min: number, max: number) {
  const error = `expected a whole number of seconds between ${min} and ${max}`;
  return z
    .string()
    .regex(/^\d+$/, { error })
    .transform(Number)
    .pipe(z.number().min(min, { error }).max(max, { error }));
}

/** Defaults of GUICHET_UPLOAD_TTL_SECONDS and GUICHET_ORPHAN_GRACE_SECONDS; the janitor's too. */
export const defaultUploadTtlSeconds = 3600;
export const defaultOrphanGraceSeconds = 3600;

const environmentSchema = z.object({
  PORT: portNumber.default(4000),
  HOST: z.string().min(1, { error: 'must not be empty' }).default('127.0.0.1'),
  GUICHET_ISSUER: httpUrl('').optional(),
  GUICHET_DATA_DIR: z.string().min(1, { error: 'must not be empty' }).default('./data'),
  GUICHET_SECRET: z.string().min(32, { error: 'must be at least 32 characters' }).optional(),
  GUICHET_LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'expected one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  GUICHET_TRUST_PROXY: booleanFlag.default(false),
  GUICHET_SIGNUP: z.enum(['open', 'closed'], { error: 'expected open or closed' }).default('open'),
  GUICHET_BRAND_NAME: z.string().min(1).max(60, { error: 'at most 60 characters' }).default('Guichet'),
  GUICHET_BRAND_LOGO_URL: z.url({ protocol: /^https?$/, error: 'not an http(s) URL' }).optional(),
  GUICHET_BRAND_COLOR: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/, { error: 'expected a colour as #rrggbb' })
    .optional(),
  GUICHET_SIGNIN_WINDOW_SECONDS: wholeSeconds(1, 86_400).default(900),
  GUICHET_UPLOAD_TTL_SECONDS: wholeSeconds(1, 604_800).default(defaultUploadTtlSeconds),
  GUICHET_ORPHAN_GRACE_SECONDS: wholeSeconds(0, 604_800).default(defaultOrphanGraceSeconds),
  GUICHET_REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]{1,64}$/, {
      error: 'expected 1-64 letters, digits, colons, dashes or underscores',
    })
    .default('guichet:'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/.+/, { error: 'not a postgres:// URL' })
    .refine((value) => URL.canParse(value), { error: 'not a postgres:// URL' })
    .optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/.+/, { error: 'not a redis:// URL' })
    .refine((value) => URL.canParse(value), { error: 'not a redis:// URL' })
    .optional(),
  S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, {
      error: 'not a valid bucket name (3-63 lowercase letters, digits, dots, hyphens)',
    })
    .optional(),
  S3_ENDPOINT: httpUrl('').optional(),
  S3_REGION: z.string().min(1, { error: 'must not be empty' }).default('us-east-1'),
  S3_ACCESS_KEY_ID: z.string().min(1, { error: 'must not be empty' }).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1, { error: 'must not be empty' }).optional(),
  S3_FORCE_PATH_STYLE: booleanFlag.default(false),
});

export interface S3Config {
  bucket: string;
  endpoint: string | undefined;
  region: string;
  accessKeyId: string | undefined;
  secretAccessKey: string | undefined;
  forcePathStyle: boolean;
}

export interface Config {
  port: number;
  host: string;
  /** Public base URL without a trailing slash; the OIDC issuer. */
  issuer: string;
  /** Absolute path. */
  dataDir: string;
  /** Master key from the environment; when absent it is read from (or generated into) the data dir. */
  secret: string | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  trustProxy: boolean;
  /** The window over which failed sign-ins are counted (per IP and per account). */
  signInWindowSeconds: number;
  /** Prefix of every Redis key and channel, so several deployments can share one Redis. */
  redisPrefix: string;
  /** Whether people may create their own account from the sign-in page. */
  signup: 'open' | 'closed';
  brand: { name: string; logoUrl: string | undefined; color: string | undefined };
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  s3: S3Config | undefined;
  files: {
    /** How long a staged upload waits for its commit before the janitor removes it. */
    uploadTtlSeconds: number;
    /** How old an object without a record must be before the janitor deletes it. */
    orphanGraceSeconds: number;
  };
}

/** A configuration problem, worded as `VARIABLE: what is wrong`. */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Reads and validates the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings count as unset, as shells and .env files often produce them.
  const present = Object.fromEntries(
    Object.keys(environmentSchema.shape)
      .map((name) => [name, env[name]])
      .filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = environmentSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${String(issue.path[0])}: ${issue.message}`));
  }
  const e = parsed.data;
  const s3Problems: string[] = [];
  const s3Set = [e.S3_ENDPOINT, e.S3_ACCESS_KEY_ID, e.S3_SECRET_ACCESS_KEY].some(
    (value) => value !== undefined,
  );
  if (s3Set && e.S3_BUCKET === undefined)
    s3Problems.push('S3_BUCKET: required when other S3_* variables are set');
  if ((e.S3_ACCESS_KEY_ID === undefined) !== (e.S3_SECRET_ACCESS_KEY === undefined)) {
    s3Problems.push('S3_SECRET_ACCESS_KEY: S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together');
  }
  if (s3Problems.length > 0) throw new ConfigError(s3Problems);

  return {
    port: e.PORT,
    host: e.HOST,
    issuer: e.GUICHET_ISSUER ?? `http://localhost:${e.PORT}`,
    dataDir: path.resolve(e.GUICHET_DATA_DIR),
    secret: e.GUICHET_SECRET,
    logLevel: e.GUICHET_LOG_LEVEL,
    trustProxy: e.GUICHET_TRUST_PROXY,
    signup: e.GUICHET_SIGNUP,
    signInWindowSeconds: e.GUICHET_SIGNIN_WINDOW_SECONDS,
    redisPrefix: e.GUICHET_REDIS_PREFIX,
    brand: { name: e.GUICHET_BRAND_NAME, logoUrl: e.GUICHET_BRAND_LOGO_URL, color: e.GUICHET_BRAND_COLOR },
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    files: {
      uploadTtlSeconds: e.GUICHET_UPLOAD_TTL_SECONDS,
      orphanGraceSeconds: e.GUICHET_ORPHAN_GRACE_SECONDS,
    },
    s3:
      e.S3_BUCKET === undefined
        ? undefined
        : {
            bucket: e.S3_BUCKET,
            endpoint: e.S3_ENDPOINT,
            region: e.S3_REGION,
            accessKeyId: e.S3_ACCESS_KEY_ID,
            secretAccessKey: e.S3_SECRET_ACCESS_KEY,
            forcePathStyle: e.S3_FORCE_PATH_STYLE,
          },
  };
}

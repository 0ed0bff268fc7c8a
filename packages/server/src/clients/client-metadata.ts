import type {
  ContentEncryption,
  EncryptionKey,
  KeyManagementAlgorithm,
} from '../resources/encryption-key.ts';
import type { ValidClientInput } from './client-input.ts';

/** confidential: a server-side app with a secret; public: a browser or native app (PKCE only); service: machine to machine. */
export type ClientKind = 'confidential' | 'public' | 'service';

export const clientKinds: readonly ClientKind[] = ['confidential', 'public', 'service'];

/**
 * oidc-provider client metadata as stored (names from its client schema), without client_id and
 * client_secret, which are added when the provider asks for the client.
 */
export interface StoredClientMetadata {
  client_name: string;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  grant_types: string[];
  response_types: 'code'[];
  token_endpoint_auth_method: 'client_secret_basic' | 'none';
  id_token_signed_response_alg: 'ES256';
  subject_type: 'public' | 'pairwise';
  backchannel_logout_uri?: string;
  backchannel_logout_session_required?: boolean;
  jwks?: { keys: object[] };
  id_token_encrypted_response_alg?: KeyManagementAlgorithm;
  id_token_encrypted_response_enc?: ContentEncryption;
}

/** The metadata that makes oidc-provider encrypt this client's ID tokens to its key. */
export function idTokenEncryptionMetadata(key: EncryptionKey): Partial<StoredClientMetadata> {
  return {
    jwks: { keys: [key.jwk] },
    id_token_encrypted_response_alg: key.alg,
    id_token_encrypted_response_enc: key.enc,
  };
}

function browserGrants(): Pick<StoredClientMetadata, 'grant_types' | 'response_types'> {
  // Authorization code only (RFC 9700): no implicit, no hybrid.
  return { grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'] };
}

/** The metadata of a validated client. PKCE is enforced by the provider for every kind, not here. */
export function clientMetadataFor(input: ValidClientInput): StoredClientMetadata {
  const common = {
    client_name: input.name,
    id_token_signed_response_alg: 'ES256' as const,
    subject_type: input.pairwise ? ('pairwise' as const) : ('public' as const),
  };
  if (input.kind === 'service') {
    return {
      ...common,
      redirect_uris: [],
      post_logout_redirect_uris: [],
      grant_types: ['client_credentials'],
      response_types: [],
      token_endpoint_auth_method: 'client_secret_basic',
    };
  }
  return {
    ...common,
    redirect_uris: input.redirectUris,
    post_logout_redirect_uris: input.postLogoutRedirectUris,
    ...browserGrants(),
    token_endpoint_auth_method: input.kind === 'public' ? 'none' : 'client_secret_basic',
    ...(input.backchannelLogoutUri === undefined
      ? {}
      : { backchannel_logout_uri: input.backchannelLogoutUri, backchannel_logout_session_required: true }),
  };
}

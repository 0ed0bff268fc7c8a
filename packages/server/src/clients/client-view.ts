import type { ClientKind } from './client-metadata.ts';
import type { ClientRow } from './client-row-cache.ts';

/** A client as the admin API and the CLI show it. Never carries the secret. */
export interface ClientView {
  client_id: string;
  name: string;
  kind: ClientKind;
  first_party: boolean;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  grant_types: string[];
  response_types: string[];
  token_endpoint_auth_method: string;
  subject_type: 'public' | 'pairwise';
  backchannel_logout_uri?: string;
  created_at: string;
  updated_at: string;
}

/** A client just created or whose secret was just rotated: the only time its secret is shown. */
export interface ClientWithSecret extends ClientView {
  /** Absent for public clients, which have none. */
  client_secret?: string;
}

function isoTime(value: Date | string): string {
  return new Date(value).toISOString();
}

export function clientView(row: ClientRow): ClientView {
  const { metadata } = row;
  return {
    client_id: row.client_id,
    name: row.name,
    kind: row.kind,
    first_party: row.first_party,
    redirect_uris: metadata.redirect_uris,
    post_logout_redirect_uris: metadata.post_logout_redirect_uris,
    grant_types: metadata.grant_types,
    response_types: metadata.response_types,
    token_endpoint_auth_method: metadata.token_endpoint_auth_method,
    subject_type: metadata.subject_type,
    ...(metadata.backchannel_logout_uri === undefined
      ? {}
      : { backchannel_logout_uri: metadata.backchannel_logout_uri }),
    created_at: isoTime(row.created_at),
    updated_at: isoTime(row.updated_at),
  };
}

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type AdminClient, createAdminClient } from '../../src/cli/admin-client.ts';

/** The admin API of a test server, authenticated with the token its data dir holds. */
export async function adminApiOf(serverUrl: string, dataDir: string): Promise<AdminClient> {
  const token = (await readFile(path.join(dataDir, 'admin.token'), 'utf8')).trim();
  return createAdminClient(serverUrl, token);
}

export interface CreatedClient {
  client_id: string;
  client_secret?: string;
  redirect_uris: string[];
}

export interface CreatedUser {
  id: string;
  email: string;
}

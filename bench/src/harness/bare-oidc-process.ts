import { fileURLToPath } from 'node:url';
import type { ClientMetadata } from 'oidc-provider';
import { freePort } from '../../../packages/server/test/support/free-port.ts';
import { startChildServer } from './child-server.ts';

const script = fileURLToPath(new URL('../baselines/bare-oidc-provider.ts', import.meta.url));

export interface BareOidcProvider {
  url: string;
  pid: number | undefined;
  /** Refresh tokens as a code exchange would leave them, each in its own grant and account. */
  mintRefreshTokens(clientId: string, scope: string, count: number): Promise<string[]>;
  stop(): Promise<void>;
}

/** Starts baselines/bare-oidc-provider.ts in its own process with these static clients. */
export async function startBareOidcProvider(clients: ClientMetadata[]): Promise<BareOidcProvider> {
  const [port, mintPort] = [await freePort(), await freePort()];
  const server = await startChildServer({
    args: [script],
    env: { PORT: String(port), MINT_PORT: String(mintPort), BARE_OIDC_CLIENTS: JSON.stringify(clients) },
    url: `http://127.0.0.1:${port}`,
    readyPath: '/.well-known/openid-configuration',
  });
  return {
    url: server.url,
    pid: server.child.pid,
    async mintRefreshTokens(clientId, scope, count) {
      const response = await fetch(`http://127.0.0.1:${mintPort}/`, {
        method: 'POST',
        body: JSON.stringify({ clientId, scope, count }),
      });
      if (!response.ok) throw new Error(`minting refresh tokens failed: ${await response.text()}`);
      return ((await response.json()) as { refreshTokens: string[] }).refreshTokens;
    },
    stop: () => server.stop(),
  };
}

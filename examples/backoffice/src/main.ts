import { createGuichet } from '@guichet/sdk';
import { RelyingParty } from '@guichet-examples/relying-party';
import { loadBackofficeConfig } from './backoffice-config.ts';
import { buildBackoffice } from './build-backoffice.ts';

const config = loadBackofficeConfig();
const relyingParty = await RelyingParty.discover({
  issuer: config.issuer,
  clientId: config.clientId,
  clientSecret: config.clientSecret,
  baseUrl: config.baseUrl,
  scope: 'openid members:read',
  resource: config.audience,
  cookieName: 'backoffice_session',
});
const guichet = createGuichet({
  issuer: config.issuer,
  audience: config.audience,
  clientId: config.apiClientId,
  clientSecret: config.apiClientSecret,
});
guichet.on('error', (error) => process.stderr.write(`backoffice: guichet: ${error.message}\n`));

const app = await buildBackoffice({ relyingParty, guichet, issuer: config.issuer });
await app.listen({ host: config.host, port: config.port });
process.stdout.write(`backoffice listening on ${config.baseUrl}\n`);

// SIGTERM and SIGINT (Ctrl-C from npm run demo) stop the server and the SDK's event stream.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void app
      .close()
      .then(() => guichet.close())
      .then(() => process.exit(0));
  });
}

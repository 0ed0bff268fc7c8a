// For `sdk-protected-route`: one bare Fastify app whose /unprotected route is the baseline and whose
// /protected route sits behind @guichet/sdk's Fastify plugin, so both sides share a process and a stack.
import { createGuichet } from '@guichet/sdk';
import { guichetFastify } from '@guichet/sdk/fastify';
import Fastify from 'fastify';

const decryptionKey = process.env.GUICHET_DECRYPTION_KEY;
const guichet = createGuichet({
  issuer: process.env.GUICHET_ISSUER ?? '',
  audience: process.env.GUICHET_AUDIENCE ?? '',
  clientId: process.env.GUICHET_CLIENT_ID ?? '',
  clientSecret: process.env.GUICHET_CLIENT_SECRET ?? '',
  ...(decryptionKey ? { decryptionKey: JSON.parse(decryptionKey) } : {}),
  events: 'sse',
});
guichet.on('error', (error) => process.stderr.write(`guichet: ${String(error)}\n`));

const app = Fastify({ logger: false });
app.get('/unprotected', async () => ({ ok: true }));
await app.register(async (api) => {
  await api.register(guichetFastify, { guichet });
  api.get('/protected', async () => ({ ok: true }));
});
app.addHook('onClose', () => guichet.close());
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.once('SIGTERM', () => {
  app.close().then(() => process.exit(0));
});

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { accountsAdminRoutes } from '../accounts/accounts-admin-routes.ts';
import { businessesAdminRoutes } from '../businesses/businesses-admin-routes.ts';
import { clientsAdminRoutes } from '../clients/clients-admin-routes.ts';
import { janitorAdminRoutes } from '../files/janitor/janitor-admin-routes.ts';
import { purposesAdminRoutes } from '../files/purposes/purposes-admin-routes.ts';
import { problem, sendProblem } from '../http/problem-details.ts';
import { keysAdminRoutes } from '../keys/keys-admin-routes.ts';
import { migrateToLatest } from '../ports/sql/migrate.ts';
import { resourcesAdminRoutes } from '../resources/resources-admin-routes.ts';
import type { ServerContext } from '../runtime/server-context.ts';
import { isAdminToken } from './admin-credential.ts';

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(header);
  return match?.[1];
}

/** The admin API the CLI calls when a server already holds the data. */
export async function adminRoutes(app: FastifyInstance, options: { context: ServerContext }): Promise<void> {
  const { ports } = options.context;

  app.addHook('onRequest', async (request, reply) => {
    const token = bearerToken(request);
    if (token === undefined || !(await isAdminToken(ports.sql, token))) {
      reply.header('www-authenticate', 'Bearer realm="guichet-admin"');
      return sendProblem(reply, problem(401, 'a valid admin token is required'));
    }
  });

  await app.register(accountsAdminRoutes, { context: options.context });
  await app.register(clientsAdminRoutes, { context: options.context });
  await app.register(keysAdminRoutes, { context: options.context });
  await app.register(businessesAdminRoutes, { context: options.context });
  await app.register(resourcesAdminRoutes, { context: options.context });
  await app.register(purposesAdminRoutes, { context: options.context });
  await app.register(janitorAdminRoutes, { context: options.context });

  app.get(
    '/status',
    {
      schema: {
        response: {
          200: {
            type: 'object',
            required: ['drivers'],
            properties: {
              drivers: {
                type: 'object',
                properties: {
                  sql: { type: 'string' },
                  cache: { type: 'string' },
                  objects: { type: 'string' },
                },
              },
            },
          },
        },
      },
    },
    async () => ({
      drivers: { sql: ports.sql.driver, cache: ports.cache.driver, objects: ports.objects.driver },
    }),
  );

  app.post(
    '/migrations',
    {
      schema: {
        response: {
          200: {
            type: 'object',
            required: ['applied'],
            properties: { applied: { type: 'array', items: { type: 'string' } } },
          },
        },
      },
    },
    async () => ({ applied: await migrateToLatest(ports.sql) }),
  );
}

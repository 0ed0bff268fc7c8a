import Fastify, { type FastifyInstance, type FastifyPluginAsync, type FastifyServerOptions } from 'fastify';
import { installProblemHandlers } from '../../src/http/problem-details.ts';
import type { ServerContext } from '../../src/runtime/server-context.ts';
import { createTestContext, type SqlDriverUnderTest } from './domain-test-context.ts';

/** A domain's admin routes, as the admin scope registers them. */
export type AdminRoutes<Context> = FastifyPluginAsync<{ context: Context }>;

/**
 * `routes` alone on an app, mounted at /admin/v1 with the server's problem handlers. The admin token
 * check belongs to the admin scope and is not part of it. Ready for `inject`, or to `listen`.
 */
export async function adminRoutesApp<Context>(
  routes: AdminRoutes<Context>,
  context: Context,
  options: FastifyServerOptions = {},
): Promise<FastifyInstance> {
  const app = Fastify(options);
  installProblemHandlers(app);
  await app.register(routes, { prefix: '/admin/v1', context });
  await app.ready();
  return app;
}

/** Listens on a free port of the loopback interface; returns the base URL. */
export function listenLocally(app: FastifyInstance): Promise<string> {
  return app.listen({ port: 0, host: '127.0.0.1' });
}

export interface AdminAppUnderTest {
  context: ServerContext;
  app: FastifyInstance;
  /** Closes the app, then the context, then drops the database. */
  close(): Promise<void>;
}

/** A fresh database on `driver`, a ServerContext over it, and `routes` on an app of their own. */
export async function adminAppUnderTest(
  driver: SqlDriverUnderTest,
  routes: AdminRoutes<ServerContext>,
  options: FastifyServerOptions = {},
): Promise<AdminAppUnderTest> {
  const database = await driver.fresh();
  let disposeContext: (() => Promise<void>) | undefined;
  try {
    const { context, dispose } = await createTestContext({ sql: database.sql });
    disposeContext = dispose;
    const app = await adminRoutesApp(routes, context, options);
    const close = async () => {
      await app.close();
      await dispose();
      await database.dispose();
    };
    return { context, app, close };
  } catch (error) {
    // Half set up: release what was opened, as close would.
    await disposeContext?.();
    await database.dispose();
    throw error;
  }
}

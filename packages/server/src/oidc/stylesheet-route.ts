import type { FastifyInstance } from 'fastify';
import type { PageKit } from './page-kit.ts';

/** The pages' one stylesheet, named by its content hash so browsers may keep it forever. */
export async function stylesheetRoute(app: FastifyInstance, options: { pages: PageKit }): Promise<void> {
  const { pages } = options;
  app.get(
    pages.stylesheetHref,
    { schema: { response: { 200: { type: 'string' } } } },
    async (_request, reply) =>
      reply
        .type('text/css; charset=utf-8')
        .header('cache-control', 'public, max-age=31536000, immutable')
        .header('cross-origin-resource-policy', 'same-origin')
        .send(pages.css),
  );
}

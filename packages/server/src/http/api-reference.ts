import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

/**
 * The REST API reference: OpenAPI built from the route schemas themselves, served at /docs (JSON at
 * /docs/json). Register before the routes it documents. Only tagged routes appear, so the OpenID
 * Connect endpoints (documented by their discovery document) and internal routes stay out.
 */
export async function installApiReference(app: FastifyInstance, options: { issuer: string }): Promise<void> {
  await app.register(swagger, {
    hideUntagged: true,
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Guichet REST API',
        version: '1',
        description:
          'Files, session context and health. Errors are RFC 9457 problem details ' +
          '(application/problem+json). OpenID Connect endpoints are described by ' +
          '/.well-known/openid-configuration.',
      },
      servers: [{ url: options.issuer }],
      tags: [
        { name: 'files', description: 'Uploads validated before they are kept' },
        { name: 'context', description: 'Session business context for resource servers' },
        { name: 'health', description: 'Liveness, readiness and metrics' },
      ],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'An access token issued by Guichet' },
          serviceClient: {
            type: 'http',
            scheme: 'basic',
            description: 'client_id and client_secret of a service client',
          },
        },
      },
    },
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    // Its own CSP with hashes of the UI's inline parts, replacing the API's allow-nothing policy.
    staticCSP: true,
    uiConfig: { docExpansion: 'list', deepLinking: true },
  });
}

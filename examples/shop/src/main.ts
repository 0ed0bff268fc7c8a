import 'reflect-metadata';
import { createGuichet } from '@guichet/sdk';
import { RelyingParty } from '@guichet-examples/relying-party';
import { ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { shopModule } from './app-module.ts';
import { openShopDatabase } from './database/shop-database.ts';
import { FormInvalidException } from './products/form-invalid.exception.ts';
import { loadShopConfig } from './shop-config.ts';
import { sessionTokens } from './sign-in/session-tokens.ts';

const config = loadShopConfig();
const [relyingParty, database] = await Promise.all([
  RelyingParty.discover({
    issuer: config.issuer,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    baseUrl: config.baseUrl,
    scope: 'openid products:read products:write',
    resource: config.audience,
    cookieName: 'shop_session',
  }),
  openShopDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }),
]);
const guichet = createGuichet({
  issuer: config.issuer,
  audience: config.audience,
  clientId: config.apiClientId,
  clientSecret: config.apiClientSecret,
});
guichet.on('error', (error) => process.stderr.write(`shop: guichet: ${error.message}\n`));

const app = await NestFactory.create(
  shopModule({ config, guichet, relyingParty, database }),
  new ExpressAdapter(),
  { logger: ['error', 'warn'] },
);
const issuerOrigin = new URL(config.issuer).origin;
app.use((_request: Request, response: Response, next: NextFunction) => {
  // No script anywhere; images come from Guichet's signed URLs; forms post here, then redirect to Guichet.
  response.setHeader(
    'content-security-policy',
    `default-src 'none'; style-src 'self'; img-src 'self' ${issuerOrigin}; form-action 'self' ${issuerOrigin}; frame-ancestors 'none'; base-uri 'none'`,
  );
  response.setHeader('x-content-type-options', 'nosniff');
  response.setHeader('referrer-policy', 'same-origin');
  next();
});
app.use(sessionTokens(relyingParty));
app.useGlobalPipes(
  new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: true,
    exceptionFactory: FormInvalidException.fromValidationErrors,
  }),
);
(app.getHttpAdapter().getInstance() as { disable(name: string): void }).disable('x-powered-by');
await app.listen(config.port, config.host);
process.stdout.write(`shop listening on ${config.baseUrl}\n`);

// SIGTERM, and SIGINT (Ctrl-C in npm run demo): stop taking requests, then close the SDK's event
// stream and the database.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void app
      .close()
      .then(() => Promise.all([guichet.close(), database.close()]))
      .then(() => process.exit(0));
  });
}

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Test } from '@nestjs/testing';
import {
  GUICHET,
  type GuichetAuthentication,
  type GuichetClient,
  GuichetModule,
  type GuichetModuleOptions,
} from '../src/index.ts';
import { startFakeIssuer } from './support/fake-issuer.ts';

const credentials = { clientId: 'reports-api', clientSecret: 'reports-secret' };
const issuer = await startFakeIssuer({ ...credentials, tokens: {} });
after(() => issuer.close());

/** A client owned by the test, to see whether the module closes it. */
function ownedClient(): GuichetClient & { closed: number } {
  return {
    closed: 0,
    async authenticate(): Promise<GuichetAuthentication> {
      throw new Error('not called here');
    },
    async close() {
      this.closed += 1;
    },
  };
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    if (condition()) return;
    await sleep(20);
  }
  assert.fail(`timed out waiting for ${what}`);
}

describe('GuichetModule', () => {
  it('forRoot with an SDK instance exposes it as GUICHET and leaves closing it to its owner', async () => {
    const client = ownedClient();
    const moduleRef = await Test.createTestingModule({
      imports: [GuichetModule.forRoot({ client })],
    }).compile();
    assert.equal(moduleRef.get(GUICHET), client);
    await moduleRef.close();
    assert.equal(client.closed, 0);
  });

  it('forRoot with SDK options creates the SDK and closes it on shutdown', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        GuichetModule.forRoot({
          issuer: issuer.url,
          audience: 'https://reports',
          ...credentials,
          events: 'sse',
        }),
      ],
    }).compile();
    const guichet = moduleRef.get<GuichetClient>(GUICHET);
    assert.equal(typeof guichet.authenticate, 'function');
    // The SDK's event stream proves the instance is live; closing the app must end it.
    await waitFor(() => issuer.openEventStreams === 1, 'the SDK to open its event stream');
    await moduleRef.close();
    await waitFor(() => issuer.openEventStreams === 0, 'the event stream to close');
  });

  it("writes the SDK's background errors to the Nest log", async () => {
    const warnings: string[] = [];
    const quiet = () => undefined;
    const moduleRef = await Test.createTestingModule({
      imports: [
        GuichetModule.forRoot({
          issuer: issuer.url,
          audience: 'https://reports',
          clientId: credentials.clientId,
          clientSecret: 'not-the-secret',
          events: 'sse',
        }),
      ],
    })
      .setLogger({ log: quiet, error: quiet, warn: (message: unknown) => warnings.push(String(message)) })
      .compile();
    await waitFor(() => warnings.length > 0, 'a warning');
    assert.match(warnings[0] ?? '', /events endpoint answered 401/);
    await moduleRef.close();
  });

  it('forRootAsync injects the factory dependencies from imported modules', async () => {
    const client = ownedClient();
    const CONFIG = Symbol('config');
    class ConfigHolder {}
    const moduleRef = await Test.createTestingModule({
      imports: [
        GuichetModule.forRootAsync({
          imports: [
            {
              module: ConfigHolder,
              providers: [{ provide: CONFIG, useValue: { client } }],
              exports: [CONFIG],
            },
          ],
          inject: [CONFIG],
          useFactory: async (config: { client: GuichetClient }) => ({ client: config.client }),
        }),
      ],
    }).compile();
    assert.equal(moduleRef.get(GUICHET), client);
    await moduleRef.close();
  });

  it('forRootAsync accepts an options factory class', async () => {
    const client = ownedClient();
    class GuichetSettings {
      createGuichetOptions(): GuichetModuleOptions {
        return { client };
      }
    }
    const moduleRef = await Test.createTestingModule({
      imports: [GuichetModule.forRootAsync({ useClass: GuichetSettings })],
    }).compile();
    assert.equal(moduleRef.get(GUICHET), client);
    await moduleRef.close();
  });

  it('forRootAsync without a way to build the options is a clear error', () => {
    assert.throws(() => GuichetModule.forRootAsync({}), /needs useFactory, useClass or useExisting/);
  });
});

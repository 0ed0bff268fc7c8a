import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ExpiredTokenError,
  type GuichetAuthError,
  GuichetUnavailableError,
  InvalidTokenError,
  MissingTokenError,
  SessionEndedError,
} from '@guichet/sdk';
import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import {
  type GuichetAuthentication,
  type GuichetClient,
  GuichetGuard,
  GuichetHttpException,
  getGuichetAuthentication,
  Public,
  Scopes,
} from '../src/index.ts';

// A unit test of the guard: the client is a hand-made object honouring the SDK's authenticate
// contract (it throws the SDK's real error classes), the context is Nest's own ExecutionContextHost.

const alice: GuichetAuthentication = {
  sub: 'alice',
  sid: 'sid-alice',
  businessId: 'biz-north',
  roles: ['member'],
  scopes: ['orders:read'],
  token: 'alice-token',
  clientId: 'shop',
  expiresAt: Math.floor(Date.now() / 1000) + 600,
  format: 'opaque',
};

function clientThatAnswers(answer: (header: string | undefined) => GuichetAuthentication): {
  client: GuichetClient;
  calls: (string | undefined)[];
} {
  const calls: (string | undefined)[] = [];
  return {
    calls,
    client: {
      async authenticate(header) {
        calls.push(header);
        return answer(header);
      },
    },
  };
}

class Routes {
  open(): void {}
  guarded(): void {}
  scoped(): void {}
}
function decorateMethod(decorator: MethodDecorator, name: keyof Routes): void {
  const descriptor = Object.getOwnPropertyDescriptor(Routes.prototype, name);
  assert.ok(descriptor);
  decorator(Routes.prototype, name, descriptor);
}
decorateMethod(Public(), 'open');
decorateMethod(Scopes('orders:write'), 'scoped');

/** A reply with Fastify's and Express's `header(name, value)`. */
class RecordingReply {
  readonly headers = new Map<string, string>();
  header(name: string, value: string): this {
    this.headers.set(name.toLowerCase(), value);
    return this;
  }
}

function httpContext(handler: keyof Routes, request: object, response: object): ExecutionContextHost {
  return new ExecutionContextHost([request, response], Routes, Routes.prototype[handler]);
}

describe('GuichetGuard', () => {
  it('maps each SDK error to its status, challenge and OAuth error body', async () => {
    const cases: [GuichetAuthError, number][] = [
      [new MissingTokenError(), 401],
      [new InvalidTokenError(), 401],
      [new ExpiredTokenError(), 401],
      [new SessionEndedError(), 401],
      [new GuichetUnavailableError(), 503],
    ];
    for (const [error, status] of cases) {
      const { client } = clientThatAnswers(() => {
        throw error;
      });
      const guard = new GuichetGuard(new Reflector(), client);
      const reply = new RecordingReply();
      const context = httpContext('guarded', { headers: { authorization: 'Bearer x' } }, reply);
      await assert.rejects(guard.canActivate(context), (thrown: unknown) => {
        assert.ok(thrown instanceof GuichetHttpException);
        assert.equal(thrown.getStatus(), status);
        assert.equal(thrown.code, error.code);
        assert.deepEqual(thrown.getResponse(), { error: error.code, error_description: error.message });
        return true;
      });
      assert.equal(reply.headers.get('cache-control'), 'no-store', error.code);
      if (status === 503) {
        assert.equal(reply.headers.get('retry-after'), '5');
        assert.equal(reply.headers.has('www-authenticate'), false);
      } else {
        assert.equal(reply.headers.get('www-authenticate'), error.wwwAuthenticate, error.code);
      }
    }
  });

  it('lets an unexpected error through unchanged instead of disguising it as a 401', async () => {
    const bug = new RangeError('bug in the app');
    const { client } = clientThatAnswers(() => {
      throw bug;
    });
    const guard = new GuichetGuard(new Reflector(), client);
    const context = httpContext('guarded', { headers: {} }, new RecordingReply());
    await assert.rejects(guard.canActivate(context), (thrown) => thrown === bug);
  });

  it('authenticates once per request and remembers the principal', async () => {
    const { client, calls } = clientThatAnswers(() => alice);
    const guard = new GuichetGuard(new Reflector(), client);
    const request = { headers: { authorization: 'Bearer alice-token' } };
    const context = httpContext('guarded', request, new RecordingReply());
    assert.equal(await guard.canActivate(context), true);
    assert.equal(await guard.canActivate(context), true);
    assert.deepEqual(calls, ['Bearer alice-token']);
    assert.equal(getGuichetAuthentication(request), alice);
  });

  it('does not authenticate @Public() routes', async () => {
    const { client, calls } = clientThatAnswers(() => alice);
    const guard = new GuichetGuard(new Reflector(), client);
    const request = { headers: { authorization: 'Bearer alice-token' } };
    assert.equal(await guard.canActivate(httpContext('open', request, new RecordingReply())), true);
    assert.deepEqual(calls, []);
    assert.equal(getGuichetAuthentication(request), undefined);
  });

  it('sets the challenge with setHeader on a bare Node response', async () => {
    const { client } = clientThatAnswers(() => alice);
    const guard = new GuichetGuard(new Reflector(), client);
    const headers = new Map<string, string>();
    const response = { setHeader: (name: string, value: string) => headers.set(name.toLowerCase(), value) };
    const context = httpContext('scoped', { headers: { authorization: 'Bearer alice-token' } }, response);
    await assert.rejects(guard.canActivate(context), (thrown: unknown) => {
      assert.ok(thrown instanceof GuichetHttpException);
      assert.equal(thrown.getStatus(), 403);
      return true;
    });
    assert.match(headers.get('www-authenticate') ?? '', /error="insufficient_scope".*scope="orders:write"/);
  });

  it('refuses non-HTTP handlers without asking Guichet', async () => {
    const { client, calls } = clientThatAnswers(() => alice);
    const guard = new GuichetGuard(new Reflector(), client);
    const context = httpContext('guarded', { headers: {} }, {});
    context.setType('rpc');
    assert.equal(await guard.canActivate(context), false);
    assert.deepEqual(calls, []);
  });
});

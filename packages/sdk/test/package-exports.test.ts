import assert from 'node:assert/strict';
import { registerHooks } from 'node:module';
import { describe, it } from 'node:test';

// Records every bare specifier resolved from here on, to see what importing the SDK pulls in.
const resolved: string[] = [];
registerHooks({
  resolve(specifier, context, nextResolve) {
    if (!specifier.startsWith('.') && !specifier.startsWith('node:') && !specifier.startsWith('file:')) {
      resolved.push(specifier);
    }
    return nextResolve(specifier, context);
  },
});

describe('package exports', () => {
  it('the main entry loads no framework and no Redis client, and starts nothing', async () => {
    const handlesBefore = process.getActiveResourcesInfo().length;
    const sdk = await import('@guichet/sdk');
    assert.equal(typeof sdk.createGuichet, 'function');
    assert.equal(typeof sdk.guichetExpress, 'function');
    assert.equal(typeof sdk.GuichetAuthError, 'function');
    assert.deepEqual([...new Set(resolved)].sort(), ['@guichet/sdk', 'jose']);
    assert.equal(process.getActiveResourcesInfo().length, handlesBefore);
  });

  it('the framework glue has its own entries', async () => {
    const express = await import('@guichet/sdk/express');
    const fastify = await import('@guichet/sdk/fastify');
    assert.equal(typeof express.guichetExpress, 'function');
    assert.equal(typeof fastify.guichetFastify, 'function');
    assert.ok(!resolved.includes('fastify'), 'the Fastify plugin imports fastify at runtime');
  });
});

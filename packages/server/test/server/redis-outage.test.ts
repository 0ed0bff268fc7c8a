import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freshDataDir } from '../support/embedded-data-dir.ts';
import { type GuichetProcess, startGuichet } from '../support/guichet-process.ts';
import { type PrivateRedis, privateRedisGate, startPrivateRedis } from '../support/private-redis.ts';

interface Readiness {
  status: string;
  ports: Record<'sql' | 'cache' | 'objects', { driver: string; ok: boolean }>;
}

async function readiness(url: string): Promise<{ status: number; body: Readiness }> {
  const response = await fetch(`${url}/readyz`);
  return { status: response.status, body: (await response.json()) as Readiness };
}

describe('a Redis outage', { skip: privateRedisGate() }, () => {
  let redis: PrivateRedis;
  let data: { dir: string; remove: () => Promise<void> };
  let server: GuichetProcess;

  before(async () => {
    redis = await startPrivateRedis();
    data = await freshDataDir();
    server = await startGuichet({ GUICHET_DATA_DIR: data.dir, REDIS_URL: redis.url });
  });
  after(async () => {
    await server?.stop();
    await redis?.dispose();
    await data?.remove();
  });

  it('degrades readiness, keeps serving, and recovers when Redis is back', async () => {
    assert.equal((await readiness(server.url)).status, 200);
    await redis.stop();

    const started = performance.now();
    const down = await readiness(server.url);
    assert.ok(performance.now() - started < 3_000, 'readiness answers promptly during the outage');
    assert.equal(down.status, 503);
    assert.deepEqual(
      [
        down.body.ports.cache.driver,
        down.body.ports.cache.ok,
        down.body.ports.sql.ok,
        down.body.ports.objects.ok,
      ],
      ['redis', false, true, true],
    );
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${server.url}/metrics`)).status, 200);

    await redis.restart();
    const deadline = Date.now() + 10_000;
    let up = await readiness(server.url);
    while (up.status !== 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      up = await readiness(server.url);
    }
    assert.equal(up.status, 200);
    assert.equal(server.child.exitCode, null, 'the server never crashed');
  });
});

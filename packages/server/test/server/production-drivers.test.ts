import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { s3Env } from '../support/files-world.ts';
import { type GuichetProcess, startGuichet } from '../support/guichet-process.ts';
import { type RunningS3rver, startS3rver } from '../support/s3rver.ts';
import { serviceGate, testRedisUrl } from '../support/services.ts';
import { createTestDatabase } from '../support/test-database.ts';

interface Readiness {
  status: string;
  ports: Record<'sql' | 'cache' | 'objects', { driver: string; ok: boolean; error?: string }>;
}

async function readiness(url: string): Promise<{ status: number; body: Readiness }> {
  const response = await fetch(`${url}/readyz`);
  return { status: response.status, body: (await response.json()) as Readiness };
}

async function eventually<T>(
  probe: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await probe();
  while (!accept(last) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    last = await probe();
  }
  return last;
}

const skip = (await serviceGate('postgres')) || (await serviceGate('redis'));

describe('guichet start on PostgreSQL, Redis and S3', { skip }, () => {
  let database: { url: string; drop: () => Promise<void> };
  let s3: RunningS3rver;
  let dataDirs: string[] = [];
  let servers: GuichetProcess[] = [];

  const productionEnv = () => ({
    DATABASE_URL: database.url,
    REDIS_URL: testRedisUrl,
    ...s3Env(s3),
    GUICHET_SECRET: 'production-drivers-test-secret-0123456789',
  });

  before(async () => {
    database = await createTestDatabase();
    s3 = await startS3rver();
    // Two instances started at once on one empty database: migrations must not collide.
    dataDirs = await Promise.all([1, 2].map(() => mkdtemp(path.join(os.tmpdir(), 'guichet-prod-'))));
    servers = await Promise.all(
      dataDirs.map((dir) => startGuichet({ ...productionEnv(), GUICHET_DATA_DIR: dir })),
    );
  });
  after(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await s3?.dispose();
    await database?.drop();
    await Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('names the postgres, redis and s3 drivers on every instance', async () => {
    for (const server of servers) {
      const { status, body } = await readiness(server.url);
      assert.equal(status, 200, JSON.stringify(body));
      assert.deepEqual(
        Object.fromEntries(Object.entries(body.ports).map(([name, port]) => [name, [port.driver, port.ok]])),
        { sql: ['postgres', true], cache: ['redis', true], objects: ['s3', true] },
      );
    }
    const applied = servers.filter((server) => /migrations applied/.test(server.output()));
    assert.equal(applied.length, 1, 'exactly one instance applied the migrations');
  });

  it('keeps nothing embedded in the data dir but its admin token and key', async () => {
    for (const dir of dataDirs) assert.deepEqual((await readdir(dir)).sort(), ['admin.token']);
  });

  it('reports the objects port unavailable while S3 is down, and recovers', async () => {
    const server = servers[0];
    assert.ok(server);
    await s3.stop();
    const down = await readiness(server.url);
    assert.equal(down.status, 503);
    assert.equal(down.body.status, 'unavailable');
    assert.equal(down.body.ports.objects.driver, 's3');
    assert.equal(down.body.ports.objects.ok, false);
    assert.ok(down.body.ports.objects.error, 'says why');
    assert.equal(down.body.ports.sql.ok, true);
    assert.equal(down.body.ports.cache.ok, true);
    // Liveness is unaffected: the process is fine, a dependency is not.
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);

    await s3.restart();
    const up = await eventually(
      () => readiness(server.url),
      (r) => r.status === 200,
      10_000,
    );
    assert.equal(up.status, 200);
    assert.equal(up.body.ports.objects.ok, true);
  });
});

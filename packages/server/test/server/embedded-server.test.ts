import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freshDataDir } from '../support/embedded-data-dir.ts';
import { type GuichetProcess, runGuichet, startGuichet } from '../support/guichet-process.ts';

interface Readiness {
  status: string;
  ports: Record<'sql' | 'cache' | 'objects', { driver: string; ok: boolean }>;
}

describe('guichet start on embedded defaults', () => {
  let data: { dir: string; remove: () => Promise<void> };
  let server: GuichetProcess;

  before(async () => {
    data = await freshDataDir();
    server = await startGuichet({ GUICHET_DATA_DIR: data.dir });
  });
  after(async () => {
    await server?.stop();
    await data?.remove();
  });

  it('is ready with the pglite, memory and fs drivers', async () => {
    const response = await fetch(`${server.url}/readyz`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const body = (await response.json()) as Readiness;
    assert.equal(body.status, 'ready');
    assert.deepEqual(
      Object.fromEntries(Object.entries(body.ports).map(([name, port]) => [name, [port.driver, port.ok]])),
      { sql: ['pglite', true], cache: ['memory', true], objects: ['fs', true] },
    );
  });

  it('answers liveness and sends security headers', async () => {
    const response = await fetch(`${server.url}/healthz`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: 'ok' });
    assert.match(response.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(response.headers.get('x-powered-by'), null);
  });

  it('answers unknown routes with RFC 9457 problem details', async () => {
    const response = await fetch(`${server.url}/nope?token=abc`);
    assert.equal(response.status, 404);
    assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
    const body = (await response.json()) as Record<string, unknown>;
    assert.equal(body.status, 404);
    assert.equal(body.title, 'Not Found');
    assert.equal(body.detail, 'no route for GET /nope');
  });

  it('exposes Prometheus metrics: request durations, event-loop delay, memory', async () => {
    await fetch(`${server.url}/healthz`);
    const response = await fetch(`${server.url}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
    const text = await response.text();
    assert.match(
      text,
      /guichet_http_request_duration_seconds_count\{method="GET",route="\/healthz",status_code="200"\} \d+/,
    );
    assert.match(text, /nodejs_eventloop_lag_p99_seconds \d/);
    assert.match(text, /process_resident_memory_bytes \d+/);
  });

  it('guards the admin API with the data dir admin token', async () => {
    const none = await fetch(`${server.url}/admin/v1/status`);
    assert.equal(none.status, 401);
    assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer/);
    assert.match(none.headers.get('content-type') ?? '', /^application\/problem\+json/);
    const wrong = await fetch(`${server.url}/admin/v1/status`, { headers: { authorization: 'Bearer nope' } });
    assert.equal(wrong.status, 401);
    const malformed = await fetch(`${server.url}/admin/v1/status`, {
      headers: { authorization: 'Basic x y' },
    });
    assert.equal(malformed.status, 401);
    const token = (await readFile(path.join(data.dir, 'admin.token'), 'utf8')).trim();
    const ok = await fetch(`${server.url}/admin/v1/status`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { drivers: { sql: 'pglite', cache: 'memory', objects: 'fs' } });
  });

  it('never logs the admin token or query values', async () => {
    const token = (await readFile(path.join(data.dir, 'admin.token'), 'utf8')).trim();
    await fetch(`${server.url}/admin/v1/status?signature=topsecretvalue`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(server.output().includes('/admin/v1/status'), 'the request was logged');
    assert.ok(!server.output().includes(token));
    assert.ok(!server.output().includes('topsecretvalue'));
  });

  it('runs `guichet migrate` through the running server, and refuses a second server on the data dir', async () => {
    const migrate = runGuichet(['migrate'], { GUICHET_DATA_DIR: data.dir });
    assert.equal(await migrate.exited, 0, migrate.output());
    assert.equal(migrate.output(), 'database is up to date\n');

    const second = runGuichet(['start'], { GUICHET_DATA_DIR: data.dir, PORT: '1' });
    assert.equal(await second.exited, 1);
    assert.match(
      second.output(),
      /data dir .* is in use by server process \d+ \(http:\/\/127\.0\.0\.1:\d+\)/,
    );
  });

  it('stops on SIGTERM with exit code 0, and a second start reuses the same data', async () => {
    const token = (await readFile(path.join(data.dir, 'admin.token'), 'utf8')).trim();
    const key = await readFile(path.join(data.dir, 'secret.key'), 'utf8');
    assert.equal(await server.stop(), 0);
    server = await startGuichet({ GUICHET_DATA_DIR: data.dir });
    assert.doesNotMatch(server.output(), /migrations applied/);
    assert.equal(await readFile(path.join(data.dir, 'secret.key'), 'utf8'), key);
    const ok = await fetch(`${server.url}/admin/v1/status`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(ok.status, 200, 'the token stored by the first run is still known');
  });
});

describe('first start on an empty data dir', () => {
  it('initialises the embedded database and is ready within 10 s', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'guichet-first-'));
    const started = performance.now();
    const server = await startGuichet({ GUICHET_DATA_DIR: dir }, 30_000);
    try {
      let ready = false;
      while (!ready && performance.now() - started < 10_000) {
        ready = (await fetch(`${server.url}/readyz`)).status === 200;
      }
      const elapsed = performance.now() - started;
      assert.ok(ready && elapsed < 10_000, `ready after ${Math.round(elapsed)} ms`);
      assert.match(server.output(), /migrations applied/);
    } finally {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { signObjectUrl } from '../../src/ports/objects/url-signature.ts';
import { deriveKey } from '../../src/secrets/master-key.ts';
import { freshDataDir } from '../support/embedded-data-dir.ts';
import { type GuichetProcess, startGuichet } from '../support/guichet-process.ts';

const secret = 'graceful-shutdown-test-secret-0123456789';

describe('graceful shutdown', () => {
  let data: { dir: string; remove: () => Promise<void> };
  let server: GuichetProcess;

  before(async () => {
    data = await freshDataDir();
    server = await startGuichet({ GUICHET_DATA_DIR: data.dir, GUICHET_SECRET: secret });
  });
  after(async () => {
    await server?.stop('SIGKILL');
    await data?.remove();
  });

  it('finishes a slow in-flight upload after SIGTERM (sent twice, as npm passes it on), refuses new work, then exits 0', async () => {
    const chunk = Buffer.alloc(64 * 1024, 7);
    const chunks = 20;
    const url = new URL(
      signObjectUrl(
        {
          baseUrl: server.url,
          key: 'shutdown/slow.bin',
          method: 'PUT',
          expiresAt: new Date(Date.now() + 60_000),
          contentLength: chunk.length * chunks,
        },
        deriveKey(secret, 'objects/signed-url'),
      ),
    );

    const response = new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
      const request = http.request(url, {
        method: 'PUT',
        headers: { 'content-length': chunk.length * chunks },
      });
      request.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
      });
      request.on('error', reject);
      let sent = 0;
      const timer = setInterval(() => {
        request.write(chunk);
        sent += 1;
        if (sent === 5) server.child.kill('SIGTERM');
        // A repeated signal must not cut the graceful stop short.
        if (sent === 7) server.child.kill('SIGTERM');
        if (sent === chunks) {
          clearInterval(timer);
          request.end();
        }
      }, 50);
    });

    // While draining, a new connection is not served.
    await new Promise((resolve) => setTimeout(resolve, 400));
    await assert.rejects(fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(2000) }));

    const { status } = await response;
    assert.equal(status, 200);
    assert.equal(await server.exited, 0);

    const stored = await readFile(path.join(data.dir, 'objects', 'shutdown', 'slow.bin'));
    const expected = createHash('sha256').update(Buffer.concat(Array.from({ length: chunks }, () => chunk)));
    assert.equal(createHash('sha256').update(stored).digest('hex'), expected.digest('hex'));
    assert.match(server.output(), /guichet stopped/);
  });
});

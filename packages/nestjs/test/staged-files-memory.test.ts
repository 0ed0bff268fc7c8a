import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type FilesGuichet, startFilesGuichet } from '../../sdk/test/integration/support/files-world.ts';
import { generatedBytes, pdfHeader } from '../../sdk/test/integration/support/generated-bytes.ts';
import { type FilesAppProcess, startFilesAppProcess } from './support/files-app-process.ts';
import { postForm } from './support/multipart-form.ts';
import { watchMemory } from './support/process-memory.ts';

const mib = 1024 * 1024;
const uploadBytes = 200 * mib;
const maxGrowth = 64 * mib;
let guichet: FilesGuichet;
before(async () => {
  guichet = await startFilesGuichet('fs');
});
after(() => guichet?.stop());

for (const adapter of ['express', 'fastify'] as const) {
  describe(`a ${uploadBytes / mib} MB form through StagedFiles on ${adapter}`, () => {
    let app: FilesAppProcess;
    before(async () => {
      app = await startFilesAppProcess(adapter, guichet.resourceServer);
    });
    after(() => app?.stop());

    it('streams end to end: neither the app nor Guichet grows by 64 MB', async () => {
      const appPid = app.pid;
      const serverPid = guichet.process.child.pid;
      assert.ok(serverPid !== undefined);
      // Cold figures, from before any upload: what the first uploads cost, collector slack included.
      const appCold = await watchMemory(appPid);
      const serverCold = await watchMemory(serverPid);
      // A 32 MB form first, so both processes have run every code path involved and their heaps have
      // reached the size the collector keeps while bytes stream through (about V8's 64 MB trigger for
      // external memory, whatever the upload's size); the 200 MB form must then add almost nothing.
      const warm = await postForm(`${app.url}/products`, guichet.token, [
        { name: 'name', value: 'Warm-up' },
        { name: 'price', value: '1' },
        { name: 'manual', filename: 'w.pdf', contentType: 'application/pdf', data: generatedBytes(32 * mib) },
      ]).answer;
      assert.equal(warm.status, 201, JSON.stringify(warm.body));

      const appMemory = await watchMemory(appPid);
      const serverMemory = await watchMemory(serverPid);
      const started = Date.now();
      const answer = await postForm(`${app.url}/products`, guichet.token, [
        { name: 'name', value: 'Big manual' },
        { name: 'price', value: '99' },
        {
          name: 'manual',
          filename: 'big.pdf',
          contentType: 'application/pdf',
          data: generatedBytes(uploadBytes, pdfHeader),
        },
      ]).answer;
      const seconds = (Date.now() - started) / 1000;
      const appGrowth = (await appMemory.stop()) - appMemory.before;
      const serverGrowth = (await serverMemory.stop()) - serverMemory.before;
      const appColdGrowth = (await appCold.stop()) - appCold.before;
      const serverColdGrowth = (await serverCold.stop()) - serverCold.before;
      assert.equal(answer.status, 201, JSON.stringify(answer.body));
      const [file] = answer.body.files as Array<{ id: string; size: number }>;
      assert.equal(file?.size, uploadBytes);
      process.stdout.write(
        `# ${adapter}: ${uploadBytes / mib} MB in ${seconds.toFixed(1)} s; RSS growth app ` +
          `${(appGrowth / mib).toFixed(1)} MB (from ${(appMemory.before / mib).toFixed(0)}), Guichet ` +
          `${(serverGrowth / mib).toFixed(1)} MB (from ${(serverMemory.before / mib).toFixed(0)}); ` +
          `from cold, with the 32 MB warm-up: app ${(appColdGrowth / mib).toFixed(1)} MB, Guichet ` +
          `${(serverColdGrowth / mib).toFixed(1)} MB\n`,
      );
      assert.ok(appGrowth < maxGrowth, `the app grew by ${appGrowth} bytes`);
      assert.ok(serverGrowth < maxGrowth, `Guichet grew by ${serverGrowth} bytes`);
      const stored = (await guichet.listObjects()).find((object) => object.key === `files/${file?.id}`);
      assert.equal(stored?.size, uploadBytes);
      const warmFile = (warm.body.files as Array<{ id: string }>)[0];
      await guichet.client.delete(file?.id ?? '');
      await guichet.client.delete(warmFile?.id ?? '');
    });
  });
}

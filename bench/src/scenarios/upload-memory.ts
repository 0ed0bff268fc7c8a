import { startFilesAppProcess } from '../../../packages/nestjs/test/support/files-app-process.ts';
import { postForm } from '../../../packages/nestjs/test/support/multipart-form.ts';
import { watchMemory } from '../../../packages/nestjs/test/support/process-memory.ts';
import { startFilesGuichet } from '../../../packages/sdk/test/integration/support/files-world.ts';
import { generatedBytes, pdfHeader } from '../../../packages/sdk/test/integration/support/generated-bytes.ts';
import { median } from '../harness/load.ts';
import type { BenchOptions, Scenario, ScenarioResult } from '../harness/scenario.ts';

const mib = 1024 * 1024;
const bigBytes = 1024 * mib;
const smallBytes = 32 * mib;
/** The target: neither process grows by this much, whatever the upload's size. */
const targetGrowth = 64 * mib;

interface Round {
  /** Peak RSS growth during the upload, in MB. */
  app: number;
  server: number;
  seconds: number;
}

/**
 * Peak RSS growth of a NestJS app (StagedFiles interceptor, Express, its own process) and of
 * Guichet (embedded drivers) while one form streams through them: a 1 GB form against a 32 MB
 * one, side by side in the same processes. A ratio near 1 means memory does not grow with size.
 */
export const uploadMemory: Scenario = {
  name: 'upload-memory',
  description: 'peak RSS growth of app (StagedFiles) and Guichet: 1 GB form vs 32 MB form',
  async run(options: BenchOptions): Promise<ScenarioResult> {
    const guichet = await startFilesGuichet('fs');
    // Guichet must not outlive a failed start of the app (not built, port taken).
    const app = await startFilesAppProcess('express', guichet.resourceServer).catch(
      async (error: unknown) => {
        await guichet.stop();
        throw error;
      },
    );
    const serverPid = guichet.process.child.pid;
    if (serverPid === undefined) throw new Error('the Guichet process has no pid');

    async function upload(bytes: number): Promise<Round> {
      const appMemory = await watchMemory(app.pid);
      const serverMemory = await watchMemory(serverPid as number);
      const started = Date.now();
      const answer = await postForm(`${app.url}/products`, guichet.token, [
        { name: 'name', value: 'Bench manual' },
        { name: 'price', value: '1' },
        {
          name: 'manual',
          filename: 'bench.pdf',
          contentType: 'application/pdf',
          data: generatedBytes(bytes, pdfHeader),
        },
      ]).answer;
      const seconds = (Date.now() - started) / 1000;
      const appGrowth = (await appMemory.stop()) - appMemory.before;
      const serverGrowth = (await serverMemory.stop()) - serverMemory.before;
      if (answer.status !== 201)
        throw new Error(`the form was answered ${answer.status}: ${JSON.stringify(answer.body)}`);
      const [file] = answer.body.files as Array<{ id: string }>;
      if (file !== undefined) await guichet.client.delete(file.id);
      return { app: appGrowth / mib, server: serverGrowth / mib, seconds };
    }

    try {
      const small: Round[] = [];
      const big: Round[] = [];
      // Alternating, so whatever the first upload costs (heaps growing to their working size) is
      // paid by the small side first and both sides see the same warmed processes after.
      for (let round = 0; round < options.rounds; round += 1) {
        small.push(await upload(smallBytes));
        big.push(await upload(bigBytes));
      }
      const worst = (rounds: Round[]) => rounds.map((r) => Math.max(r.app, r.server));
      const subject = worst(big);
      const baseline = worst(small);
      const describe = (rounds: Round[]) => ({
        app: rounds.map((r) => r.app),
        server: rounds.map((r) => r.server),
        seconds: rounds.map((r) => r.seconds),
      });
      const peakBig = Math.max(...subject);
      return {
        scenario: 'upload-memory',
        unit: 'MB RSS growth (worse of app and Guichet)',
        subject: { value: median(subject), rounds: subject, ...describe(big), bytes: bigBytes },
        baseline: { value: median(baseline), rounds: baseline, ...describe(small), bytes: smallBytes },
        ratio: median(subject) / Math.max(median(baseline), 1),
        notes: [
          'subject: a 1 GB form; baseline: a 32 MB form; same app and Guichet processes, alternating',
          'ratio near 1: memory does not grow with the upload; lower is better here',
          `target: growth < ${targetGrowth / mib} MB for 1 GB; worst round ${peakBig.toFixed(1)} MB: ` +
            (peakBig < targetGrowth / mib ? 'met' : 'NOT met'),
          'the first round includes the heaps growing to their working size (V8 young generation)',
        ],
      };
    } finally {
      await app.stop();
      await guichet.stop();
    }
  },
};

// Child-process entry for the s3rver test harness: `node --openssl-legacy-provider s3rver-process.ts
// <port> <directory> <bucket>`. Runs in its own process so a test can kill it like a crashed store.
import { createRequire } from 'node:module';

interface S3rverOptions {
  address: string;
  port: number;
  directory: string;
  silent: boolean;
  configureBuckets: Array<{ name: string }>;
}

interface S3rverInstance {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}

type S3rverConstructor = new (options: S3rverOptions) => S3rverInstance;

// s3rver is CommonJS without type definitions: load it through require and describe what we use.
const require = createRequire(import.meta.url);
const S3rver = require('s3rver') as S3rverConstructor;

const [portArgument = '0', directory, bucket] = process.argv.slice(2);
if (directory === undefined || bucket === undefined) {
  process.stderr.write('usage: s3rver-process.ts <port> <directory> <bucket>\n');
  process.exit(2);
}

// The test process went away (even killed): do not linger as an orphan.
process.on('disconnect', () => process.exit(0));

const server = new S3rver({
  address: '127.0.0.1',
  port: Number(portArgument),
  directory,
  silent: true,
  configureBuckets: [{ name: bucket }],
});
const { port } = await server.run();
if (!process.connected) process.exit(0);
process.send?.({ ready: true, port });

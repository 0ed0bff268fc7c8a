import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/config.ts';
import { runGuichet } from '../support/guichet-process.ts';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail('configuration was accepted');
}

describe('configuration', () => {
  it('has embedded defaults', () => {
    const config = loadConfig({});
    assert.equal(config.port, 4000);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.issuer, 'http://localhost:4000');
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.redisUrl, undefined);
    assert.equal(config.s3, undefined);
    assert.ok(config.dataDir.endsWith('/data'));
  });

  it('derives the issuer from PORT and strips a trailing slash from GUICHET_ISSUER', () => {
    assert.equal(loadConfig({ PORT: '8080' }).issuer, 'http://localhost:8080');
    assert.equal(loadConfig({ GUICHET_ISSUER: 'https://id.example.com/' }).issuer, 'https://id.example.com');
  });

  it('names each bad variable and says what is wrong', () => {
    assert.deepEqual(problemsOf({ PORT: 'abc' }), ['PORT: expected an integer between 1 and 65535']);
    assert.deepEqual(problemsOf({ PORT: '70000' }), ['PORT: expected an integer between 1 and 65535']);
    assert.deepEqual(problemsOf({ DATABASE_URL: 'mysql://db/x' }), ['DATABASE_URL: not a postgres:// URL']);
    assert.deepEqual(problemsOf({ REDIS_URL: 'localhost:6379' }), ['REDIS_URL: not a redis:// URL']);
    assert.deepEqual(problemsOf({ GUICHET_ISSUER: 'ftp://x' }), ['GUICHET_ISSUER: not an http(s) URL']);
    assert.deepEqual(problemsOf({ GUICHET_SECRET: 'short' }), [
      'GUICHET_SECRET: must be at least 32 characters',
    ]);
    assert.match(problemsOf({ S3_BUCKET: 'A' })[0] ?? '', /^S3_BUCKET: /);
    assert.deepEqual(problemsOf({ S3_ENDPOINT: 'http://127.0.0.1:9000' }), [
      'S3_BUCKET: required when other S3_* variables are set',
    ]);
    assert.equal(problemsOf({ PORT: 'x', GUICHET_TRUST_PROXY: 'maybe' }).length, 2);
  });

  it('treats empty variables as unset', () => {
    assert.equal(loadConfig({ PORT: '', DATABASE_URL: '' }).port, 4000);
  });

  it('selects the S3 driver settings when S3_BUCKET is set', () => {
    const config = loadConfig({
      S3_BUCKET: 'uploads',
      S3_ENDPOINT: 'http://127.0.0.1:9000',
      S3_ACCESS_KEY_ID: 'a',
      S3_SECRET_ACCESS_KEY: 'b',
      S3_FORCE_PATH_STYLE: 'true',
    });
    assert.deepEqual(config.s3, {
      bucket: 'uploads',
      endpoint: 'http://127.0.0.1:9000',
      region: 'us-east-1',
      accessKeyId: 'a',
      secretAccessKey: 'b',
      forcePathStyle: true,
    });
  });

  it('stops `guichet start` with exit code 1 and one line naming the variable', async () => {
    const run = runGuichet(['start'], { PORT: 'abc' });
    assert.equal(await run.exited, 1);
    assert.equal(run.output(), 'PORT: expected an integer between 1 and 65535\n');
  });
});

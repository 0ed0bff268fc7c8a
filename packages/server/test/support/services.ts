import net from 'node:net';

/** Where the suites find the real services; override with these variables. */
export const testPostgresUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const testRedisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const variableFor = { postgres: 'TEST_DATABASE_URL', redis: 'TEST_REDIS_URL' } as const;

function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port) });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Decides whether a suite that needs a real service runs. In CI a missing service is a failure,
 * never a silent skip; elsewhere the suite is skipped with a loud message naming the variable.
 * Returns `false` to run, or the skip reason.
 */
export async function serviceGate(service: 'postgres' | 'redis'): Promise<false | string> {
  const url = service === 'postgres' ? testPostgresUrl : testRedisUrl;
  if (await reachable(url)) return false;
  const message = `${service} is not reachable at ${new URL(url).host}; start it or set ${variableFor[service]}`;
  if (process.env.CI) throw new Error(`CI requires ${service}: ${message}`);
  process.stderr.write(`\n*** SKIPPING ${service} suite: ${message} ***\n\n`);
  return message;
}

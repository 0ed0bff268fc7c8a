import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { type GuichetProcess, startGuichet } from '../../../server/test/support/guichet-process.ts';
import {
  type OidcDeployment,
  type OidcInstance,
  postgresVariant,
  startPostgres,
} from '../../../server/test/support/oidc-flow.ts';
import { testRedisUrl } from '../../../server/test/support/services.ts';
import type { Guichet } from '../../src/guichet.ts';
import type { GuichetEvent } from '../../src/guichet-event.ts';
import { bearer, eventually } from '../support/guichet-for.ts';
import { rejectsWith } from './support/latency.ts';
import { type LoadBalancer, startLoadBalancer } from './support/load-balancer.ts';
import {
  audiences,
  connected,
  prepareWorld,
  sdkFor,
  sidOf,
  signIn,
  signOut,
  switchBusiness,
  type Tokens,
  uniqueRedisPrefix,
  type World,
} from './support/real-guichet.ts';

type Session = Tokens & { sid: string; header: string; signOutWith: () => Promise<void> };

describe('SSE: an event stream that drops resumes without missing an event', {
  skip: postgresVariant.skip,
}, () => {
  let balancer: LoadBalancer;
  let deployment: OidcDeployment;
  let world: World;
  let one: OidcInstance;
  let two: OidcInstance;
  let restarted: GuichetProcess | undefined;
  let restartDir: string | undefined;
  let database: pg.Client;
  let guichet: Guichet;
  const received: GuichetEvent[] = [];
  let connections = 0;
  const env: Record<string, string> = {};

  before(async () => {
    balancer = await startLoadBalancer();
    // Known here (startPostgres would draw its own) so that instance 2 can be started again.
    Object.assign(env, {
      GUICHET_ISSUER: balancer.url,
      GUICHET_REDIS_PREFIX: uniqueRedisPrefix(),
      GUICHET_SECRET: randomBytes(32).toString('base64url'),
    });
    deployment = await startPostgres(2, env);
    [one, two] = deployment.instances as [OidcInstance, OidcInstance];
    // The SDK streams events from instance 2; everything else goes to instance 1.
    balancer.route = ({ path: where }) => (where === '/events' ? two.url : one.url);
    world = await prepareWorld(
      { ...deployment, issuer: balancer.url, main: { ...one, url: balancer.url } },
      { redisPrefix: env.GUICHET_REDIS_PREFIX as string },
    );
    database = new pg.Client({ connectionString: deployment.databaseUrl });
    await database.connect();
    guichet = sdkFor(world, 'jwt', { events: 'sse', reconnect: { minDelayMs: 50, maxDelayMs: 200 } });
    guichet.on('event', (event) => received.push(event));
    guichet.on('connected', () => {
      connections += 1;
    });
    // Reconnection failures are expected here; without a listener they would become process warnings.
    guichet.on('error', () => undefined);
    await connected(guichet);
  });
  after(async () => {
    await guichet?.close();
    await database?.end();
    await restarted?.stop();
    await deployment?.stop();
    await balancer?.close();
    if (restartDir) await rm(restartDir, { recursive: true, force: true });
  });

  /** A signed-in session whose context the SDK has cached (so only an event can make it refuse it). */
  async function cachedSession(): Promise<Session> {
    const tokens = await signIn(world, audiences.jwt, { businessId: world.acme.id });
    const sid = await sidOf(world, tokens.access_token);
    const header = bearer(tokens.access_token);
    assert.equal((await guichet.authenticate(header)).sid, sid);
    return Object.assign(tokens, {
      sid,
      header,
      signOutWith: () => signOut(world, tokens.browser, tokens.id_token ?? ''),
    });
  }

  /** The events Guichet recorded after `afterId`, read from its database as an operator could. */
  async function recordedAfter(afterId: string): Promise<Array<{ id: string; type: string; sid?: string }>> {
    const result = await database.query<{ id: string; type: string; payload: { sid?: string } }>(
      'select id::text as id, type, payload from event_log where id > $1 order by event_log.id',
      [afterId],
    );
    return result.rows.map((row) => ({ id: row.id, type: row.type, sid: row.payload.sid }));
  }

  /**
   * Waits until the SDK has received the latest event recorded, and nothing new was recorded for a
   * moment (some events are written just after the answer that caused them); returns its id.
   */
  async function caughtUp(): Promise<string> {
    let quietSince = performance.now();
    let latest: string | undefined;
    return eventually(async () => {
      const last = received.at(-1)?.id;
      const recorded = last === undefined ? [] : await recordedAfter(last);
      const newest = recorded.at(-1)?.id ?? last;
      if (newest !== latest) {
        latest = newest;
        quietSince = performance.now();
      }
      await sleep(20);
      return last !== undefined && recorded.length === 0 && performance.now() - quietSince > 300
        ? last
        : undefined;
    }, 10_000);
  }

  /**
   * Cuts the SDK off (`drop`), signs `sessions` out meanwhile, lets it back (`reconnect`), then checks
   * the resumed stream brought every event published while it was away.
   */
  async function signOutWhileAway(
    sessions: Session[],
    drop: () => Promise<void>,
    reconnect: () => Promise<void>,
  ): Promise<void> {
    const lastSeen = await caughtUp();
    await drop();
    const connectionsBefore = connections;
    const streamsBefore = balancer.count('/events');

    for (const session of sessions) await session.signOutWith();
    const ended = new Set(sessions.map((session) => session.sid));
    // Every sign-out recorded (its events are written just after the answer), and nothing more coming.
    let previous = -1;
    const missed = await eventually(async () => {
      const recorded = await recordedAfter(lastSeen);
      const endings = recorded.filter(
        (event) => event.type === 'session.ended' && ended.has(event.sid ?? ''),
      );
      const settled = endings.length === ended.size && recorded.length === previous;
      previous = recorded.length;
      await sleep(settled ? 0 : 100);
      return settled ? recorded : undefined;
    });
    // They were published while the SDK was away: it has none of them yet.
    assert.equal(received.at(-1)?.id, lastSeen);
    assert.equal(connections, connectionsBefore);

    await reconnect();
    await eventually(
      () => (received.some((event) => event.id === missed.at(-1)?.id) ? true : undefined),
      10_000,
    );
    const resumed = balancer.requests.slice(streamsBefore).filter((request) => request.path === '/events');
    assert.ok(
      resumed.some((request) => request.headers['last-event-id'] === lastSeen),
      'the SDK reconnected with Last-Event-ID',
    );
    // Every event, once, in order.
    const after = received.filter((event) => BigInt(event.id) > BigInt(lastSeen));
    assert.deepEqual(
      after.map((event) => [event.id, event.type]),
      missed.map((event) => [event.id, event.type]),
    );

    // Each ended session is refused from what the events said: no question to Guichet.
    const contextCalls = balancer.count('/context');
    for (const session of sessions) {
      assert.ok(await rejectsWith(guichet.authenticate(session.header), 'session_ended'), session.sid);
    }
    assert.equal(balancer.count('/context'), contextCalls, 'the SDK asked Guichet');
  }

  it('over a restart of the instance it streams from', async () => {
    const sessions = [];
    for (let index = 0; index < 4; index += 1) sessions.push(await cachedSession());
    // One event before the drop, so that the SDK has a position to resume from.
    const first = await cachedSession();
    await first.signOutWith();

    const port = new URL(two.url).port;
    await signOutWhileAway(
      sessions,
      async () => {
        await two.process.stop();
      },
      async () => {
        restartDir = await mkdtemp(path.join(os.tmpdir(), 'guichet-restart-'));
        restarted = await startGuichet(
          {
            ...env,
            GUICHET_DATA_DIR: restartDir,
            DATABASE_URL: deployment.databaseUrl ?? '',
            REDIS_URL: testRedisUrl,
            PORT: port,
          },
          60_000,
        );
      },
    );
  });

  it('over a connection cut by the balancer, events refused until it lets the SDK back', async () => {
    const sessions = [];
    for (let index = 0; index < 4; index += 1) sessions.push(await cachedSession());
    const route = balancer.route;
    await signOutWhileAway(
      sessions,
      async () => {
        // Nothing reaches the events endpoint meanwhile: the SDK retries against 503s.
        balancer.route = (request) => (request.path === '/events' ? undefined : route(request));
        assert.equal(balancer.drop('/events'), 1, 'the SDK had one stream open');
      },
      async () => {
        balancer.route = route;
      },
    );
  });

  it('live: events published by both instances at the same time all arrive', async () => {
    const session = await cachedSession();
    const lastSeen = await caughtUp();
    // Business switches on both instances at once: each records and publishes its own events.
    const instances = [one.url, restarted?.url ?? two.url];
    await Promise.all(
      Array.from({ length: 40 }, async (_, index) => {
        const target = index % 2 === 0 ? world.globex.id : world.acme.id;
        const response = await switchBusiness(world, session.access_token, target, instances[index % 2]);
        assert.equal(response.status, 200);
      }),
    );
    const recorded = await recordedAfter(lastSeen);
    assert.equal(recorded.length, 40);
    const missing = () => {
      const arrived = new Set(received.map((event) => event.id));
      return recorded.filter((event) => !arrived.has(event.id)).map((event) => event.id);
    };
    const deadline = Date.now() + 2_000;
    while (missing().length > 0 && Date.now() < deadline) await sleep(20);
    assert.deepEqual(missing(), [], `${missing().length} of 40 events never reached the SDK`);
  });
});

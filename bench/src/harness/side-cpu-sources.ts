import { testRedisUrl } from '../../../packages/server/test/support/services.ts';
import {
  type CpuSources,
  eventLoopThreadCpuMs,
  otherThreadsCpuMs,
  postgresBackendsCpuMs,
  processCpuMs,
  redisServerCpuMs,
} from './process-cpu.ts';
import type { ProductionGuichet } from './production-guichet.ts';

/** Where Guichet's time goes: its event loop, its other threads, its database backends, Redis, the load. */
export function guichetCpuSources(guichet: ProductionGuichet, loadLabel: string): CpuSources {
  const pid = guichet.child.pid ?? -1;
  return {
    'guichet event loop': () => eventLoopThreadCpuMs(pid),
    'guichet other threads': () => otherThreadsCpuMs(pid),
    postgres: () => postgresBackendsCpuMs(guichet.databaseName),
    'redis (whole server)': () => redisServerCpuMs(Number(new URL(testRedisUrl).port || 6379)),
    [loadLabel]: () => processCpuMs(process.pid),
  };
}

/** A baseline is one process, plus the load this process generates. */
export function baselineCpuSources(pid: number | undefined, loadLabel: string): CpuSources {
  return {
    'baseline process': () => processCpuMs(pid ?? -1),
    [loadLabel]: () => processCpuMs(process.pid),
  };
}

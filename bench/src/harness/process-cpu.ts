import { readdirSync, readFileSync } from 'node:fs';

/*
 * CPU time read from /proc (Linux), to say where a side's time goes: the event loop, the thread pool,
 * PostgreSQL, Redis, the load generator. Elsewhere every source reads undefined and is left out.
 */

/** Linux reports utime and stime in clock ticks of 1/100 s (USER_HZ). */
const msPerTick = 10;

/** User + system CPU of a /proc stat file, in milliseconds; undefined when unreadable. */
function statCpuMs(path: string): number | undefined {
  try {
    const stat = readFileSync(path, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * msPerTick;
  } catch {
    return undefined;
  }
}

function commandLine(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

function processIds(): string[] {
  try {
    return readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return [];
  }
}

/** Every thread of a process. */
export function processCpuMs(pid: number): number | undefined {
  return statCpuMs(`/proc/${pid}/stat`);
}

/** The main thread of a Node process: its event loop and the JavaScript on it. */
export function eventLoopThreadCpuMs(pid: number): number | undefined {
  return statCpuMs(`/proc/${pid}/task/${pid}/stat`);
}

/** Every thread but the main one: libuv's pool (argon2id), the GC helpers, the compiler. */
export function otherThreadsCpuMs(pid: number): number | undefined {
  const all = processCpuMs(pid);
  const main = eventLoopThreadCpuMs(pid);
  return all === undefined || main === undefined ? undefined : all - main;
}

/**
 * The PostgreSQL backends connected to one database (their process title names it). A backend that
 * exits during the measure takes its time with it, so this is a lower bound.
 */
export function postgresBackendsCpuMs(database: string): number | undefined {
  let total: number | undefined;
  for (const pid of processIds()) {
    const command = commandLine(pid);
    if (!command.startsWith('postgres') || !command.includes(` ${database} `)) continue;
    total = (total ?? 0) + (statCpuMs(`/proc/${pid}/stat`) ?? 0);
  }
  return total;
}

/**
 * The whole redis-server listening on this port (its process title names the address), whoever else
 * uses it at the time.
 */
export function redisServerCpuMs(port: number): number | undefined {
  const pid = processIds().find((id) => {
    const command = commandLine(id);
    return command.startsWith('redis-server') && new RegExp(`:${port}(\\s|$)`).test(command);
  });
  return pid === undefined ? undefined : statCpuMs(`/proc/${pid}/stat`);
}

export type CpuSources = Record<string, () => number | undefined>;

/** Starts measuring; the returned function gives the milliseconds each readable source used since. */
export function startCpuMeter(sources: CpuSources): () => Record<string, number> {
  const before = Object.fromEntries(Object.entries(sources).map(([name, read]) => [name, read()]));
  return () => {
    const used: Record<string, number> = {};
    for (const [name, read] of Object.entries(sources)) {
      const start = before[name];
      const end = read();
      if (start !== undefined && end !== undefined) used[name] = end - start;
    }
    return used;
  };
}

/** Adds up the readings of several rounds. */
export function sumCpu(readings: Array<Record<string, number>>): Record<string, number> {
  const total: Record<string, number> = {};
  for (const reading of readings)
    for (const [name, ms] of Object.entries(reading)) total[name] = (total[name] ?? 0) + ms;
  return total;
}

/** "name 1.23 ms, other 0.45 ms" per unit of work, in the order the sources were given. */
export function describeCpuPer(
  total: Record<string, number>,
  units: number,
  scale: { factor: number; unit: string },
): string {
  const parts = Object.entries(total).map(
    ([name, ms]) =>
      `${name} ${((ms * scale.factor) / units).toFixed(scale.factor === 1 ? 2 : 0)} ${scale.unit}`,
  );
  return parts.length === 0 ? 'not measured (no /proc)' : parts.join(', ');
}

import { readFile, writeFile } from 'node:fs/promises';

async function statusField(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  if (!match?.[1]) throw new Error(`no ${field} for process ${pid}`);
  return Number(match[1]) * 1024;
}

/** Follows one process's resident memory: its peak (VmHWM, reset at start) and frequent samples. */
export interface MemoryWatch {
  /** Resident bytes when the watch started. */
  readonly before: number;
  /** Stops; resolves with the highest resident size seen (kernel peak or samples), in bytes. */
  stop(): Promise<number>;
}

export async function watchMemory(pid: number, intervalMs = 20): Promise<MemoryWatch> {
  // Writing 5 to clear_refs resets the peak (Linux 4.0+), so VmHWM then covers only what follows.
  const peakReset = await writeFile(`/proc/${pid}/clear_refs`, '5').then(
    () => true,
    () => false,
  );
  const before = await statusField(pid, 'VmRSS');
  let sampled = before;
  const timer = setInterval(() => {
    statusField(pid, 'VmRSS').then(
      (rss) => {
        sampled = Math.max(sampled, rss);
      },
      () => undefined,
    );
  }, intervalMs);
  return {
    before,
    async stop() {
      clearInterval(timer);
      const peak = peakReset ? await statusField(pid, 'VmHWM') : 0;
      return Math.max(peak, sampled, await statusField(pid, 'VmRSS'));
    },
  };
}

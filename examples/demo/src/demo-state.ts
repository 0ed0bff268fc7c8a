import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** A client's credentials, as Guichet showed them once at creation. */
export interface ClientCredentials {
  id: string;
  secret: string;
}

/**
 * What the seeding must remember between runs because Guichet shows it only once: client secrets and
 * the people's demo passwords. Kept in the demo data dir, readable by its owner only.
 */
export interface DemoState {
  passwords: Record<string, string>;
  clients: Record<string, ClientCredentials>;
}

const fileName = 'demo-state.json';

export async function readDemoState(dataDir: string): Promise<DemoState> {
  try {
    const parsed = JSON.parse(await readFile(path.join(dataDir, fileName), 'utf8')) as Partial<DemoState>;
    return { passwords: parsed.passwords ?? {}, clients: parsed.clients ?? {} };
  } catch {
    return { passwords: {}, clients: {} };
  }
}

/** Written aside then renamed, so a crash never leaves half a file. */
export async function writeDemoState(dataDir: string, state: DemoState): Promise<void> {
  const target = path.join(dataDir, fileName);
  await writeFile(`${target}.partial`, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await rename(`${target}.partial`, target);
}

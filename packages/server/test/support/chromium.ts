import { access, constants } from 'node:fs/promises';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium: the browser tests drive the distribution's build, not a downloaded one. */
export const chromiumPath = '/usr/bin/chromium';

// Headless, no sandbox (containers and CI runners rarely allow it), and nothing that phones home
// during a test: background networking, component updates, sync, QUIC probes.
export const chromiumArgs: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Decides whether a browser suite runs, like `serviceGate`: returns `false` to run, or the skip
 * reason. In CI a missing Chromium is a failure, never a silent skip.
 */
export async function chromiumGate(): Promise<false | string> {
  if (await isExecutable(chromiumPath)) return false;
  const message = `Chromium is not installed at ${chromiumPath}; install it with: apt-get install -y --no-install-recommends chromium`;
  if (process.env.CI) throw new Error(`CI requires Chromium for the browser tests: ${message}`);
  process.stderr.write(`\n*** SKIPPING browser suite: ${message} ***\n\n`);
  return message;
}

/**
 * Launches Chromium. Playwright's launch() gives every browser a fresh temporary profile (user data
 * dir) and deletes it on close, so no cookie, cache or setting leaks between runs or from the
 * machine's own profile.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [...chromiumArgs],
    timeout: 30_000,
  });
}

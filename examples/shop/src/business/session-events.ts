import type { Guichet, GuichetEvent } from '@guichet/sdk';

/**
 * Resolves when Guichet's event stream delivers an event matching `test`, or after `timeoutMs`
 * (events are an accelerator: the SDK's cache expires on its own anyway). Listen before acting, so
 * an event that arrives quickly is not missed.
 */
export function nextEvent(
  guichet: Guichet,
  test: (event: GuichetEvent) => boolean,
  timeoutMs: number,
): { arrived: Promise<boolean>; cancel(): void } {
  let stop: () => void = () => undefined;
  const arrived = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => finish(false), timeoutMs);
    const unsubscribe = guichet.on('event', (event) => {
      if (test(event)) finish(true);
    });
    function finish(seen: boolean): void {
      clearTimeout(timer);
      unsubscribe();
      resolve(seen);
    }
    stop = () => finish(false);
  });
  return { arrived, cancel: () => stop() };
}

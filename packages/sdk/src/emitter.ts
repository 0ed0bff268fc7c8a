import type { GuichetEvent } from './guichet-event.ts';

/** What `guichet.on(type, listener)` can listen to, and the arguments each listener receives. */
export interface GuichetEmitterEvents {
  /** An event from Guichet, after the SDK has dropped what it made stale. */
  event: [event: GuichetEvent];
  /** The event feed is (re)connected; from then on, events reach this process. */
  connected: [];
  /** Trouble the SDK handled in the background (Guichet or Redis unreachable...), once per outage. */
  error: [error: Error];
}

export type GuichetEmitterEventName = keyof GuichetEmitterEvents;

type Listener<K extends GuichetEmitterEventName> = (...args: GuichetEmitterEvents[K]) => void;

export interface Emitter {
  on<K extends GuichetEmitterEventName>(type: K, listener: Listener<K>): () => void;
  /** Calls every listener of `type`; false when there is none. A throwing listener is reported as 'error'. */
  emit<K extends GuichetEmitterEventName>(type: K, ...args: GuichetEmitterEvents[K]): boolean;
  clear(): void;
}

export function createEmitter(): Emitter {
  const listeners: { [K in GuichetEmitterEventName]: Set<Listener<K>> } = {
    event: new Set(),
    connected: new Set(),
    error: new Set(),
  };

  function report(error: Error): void {
    if (listeners.error.size === 0) {
      process.emitWarning(error);
      return;
    }
    for (const listener of [...listeners.error]) {
      try {
        listener(error);
      } catch {
        // An error listener that throws has nowhere left to report to.
      }
    }
  }

  return {
    on(type, listener) {
      const set: Set<typeof listener> = listeners[type];
      set.add(listener);
      return () => {
        set.delete(listener);
      };
    },
    emit(type, ...args) {
      if (type === 'error') {
        const [error] = args;
        if (error instanceof Error) report(error);
        return listeners.error.size > 0;
      }
      const set: Set<Listener<typeof type>> = listeners[type];
      for (const listener of [...set]) {
        try {
          listener(...args);
        } catch (error) {
          report(error instanceof Error ? error : new Error(String(error)));
        }
      }
      return set.size > 0;
    },
    clear() {
      listeners.event.clear();
      listeners.connected.clear();
      listeners.error.clear();
    },
  };
}

import type { Ports } from '../runtime/ports.ts';

/** What the keys domain uses of a ServerContext (which satisfies it): SQL, events and the master key. */
export interface KeysContext {
  ports: Pick<Ports, 'sql' | 'cache'>;
  masterKey: string;
}

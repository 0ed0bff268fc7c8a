import type { Config } from '../config/config.ts';
import type { Ports } from './ports.ts';

/**
 * What domain code needs to act on the data, the same in the server (admin API, pages) and in a CLI
 * command that opened the data itself.
 */
export interface ServerContext {
  config: Config;
  ports: Ports;
  /** Domains derive their own purpose-bound keys from it with deriveKey(). */
  masterKey: string;
}

export { readAdminTokenFile } from './admin/admin-credential.ts';
export type { AdminClient } from './cli/admin-client.ts';
export { AdminApiError, createAdminClient } from './cli/admin-client.ts';
export type { Config } from './config/config.ts';
export { ConfigError, loadConfig } from './config/config.ts';
export type { RunningServer } from './runtime/start-server.ts';
export { startServer } from './runtime/start-server.ts';

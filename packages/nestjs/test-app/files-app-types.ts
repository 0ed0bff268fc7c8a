// Types only, without decorators: the tests import them too, under the root TypeScript settings.

export type FilesAppAdapter = 'express' | 'fastify';

/** The `createGuichet` settings the products app runs with. */
export interface FilesAppSettings {
  issuer: string;
  audience: string;
  clientId: string;
  clientSecret: string;
}

/** The products app, listening. */
export interface RunningFilesApp {
  url: string;
  /** Every upload id Guichet created for this app, failed ones included: what the tests check is gone. */
  uploadIds(): string[];
  close(): Promise<void>;
}

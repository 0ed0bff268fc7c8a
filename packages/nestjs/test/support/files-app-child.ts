// Child-process entry: runs the compiled products app on one adapter, so a test can measure its
// memory apart from the test's own. `node files-app-child.ts <express|fastify>`, settings in
// FILES_APP_SETTINGS (JSON); it sends `{ url }` once listening and exits when told to or orphaned.
import type { FilesAppSettings } from '../../test-app/files-app-types.ts';
import { startFilesApp } from './files-app.ts';

const adapter = process.argv[2] === 'fastify' ? 'fastify' : 'express';
const settings = JSON.parse(process.env.FILES_APP_SETTINGS ?? '{}') as FilesAppSettings;
const app = await startFilesApp(adapter, settings);

process.on('disconnect', () => process.exit(0));
process.on('message', (message) => {
  if (message === 'close') app.close().then(() => process.exit(0));
});
process.send?.({ url: app.url });

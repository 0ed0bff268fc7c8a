import type { Ports } from '../../runtime/ports.ts';
import { FileNotFoundError } from '../file-errors.ts';
import type { FilesCaller } from './files-caller.ts';
import { deleteStagedUpload } from './stored-file-store.ts';

/**
 * Removes a staged upload: the record first, so a crash in between leaves an object without a record,
 * which the janitor deletes after its grace period, never a record pointing at nothing.
 */
export async function discardUpload(ports: Ports, caller: FilesCaller, id: string): Promise<void> {
  const removed = await deleteStagedUpload(ports.sql, caller.businessId, id);
  if (removed === undefined) throw new FileNotFoundError(id);
  await ports.objects.delete(removed.object_key).catch(() => undefined);
}

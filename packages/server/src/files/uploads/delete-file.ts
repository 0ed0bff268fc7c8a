import type { Ports } from '../../runtime/ports.ts';
import { FileNotFoundError } from '../file-errors.ts';
import type { FilesCaller } from './files-caller.ts';
import { deleteCommittedFile } from './stored-file-store.ts';

/** Deletes a committed file and its variants, records first (see discardUpload for why). */
export async function deleteFile(ports: Ports, caller: FilesCaller, id: string): Promise<void> {
  const keys = await deleteCommittedFile(ports.sql, caller.businessId, id);
  if (keys === undefined) throw new FileNotFoundError(id);
  await Promise.all(keys.map((key) => ports.objects.delete(key).catch(() => undefined)));
}

import type { Ports } from '../../runtime/ports.ts';
import { FileNotFoundError } from '../file-errors.ts';
import { type FileView, toFileView } from './file-view.ts';
import type { FilesCaller } from './files-caller.ts';
import { findInBusiness, variantsOf } from './stored-file-store.ts';

/** Download links are short-lived: long enough to start, too short to share around. */
const downloadUrlSeconds = 300;

export interface DownloadableFile extends FileView {
  url: string;
  urlExpiresAt: string;
}

/** A variant exists but cannot be served yet (still pending) or ever (failed). */
export class VariantNotReadyError extends Error {
  readonly state: 'pending' | 'failed';
  constructor(name: string, state: 'pending' | 'failed') {
    super(
      state === 'pending'
        ? `the ${name} variant is being made; try again shortly`
        : `the ${name} variant could not be made`,
    );
    this.name = 'VariantNotReadyError';
    this.state = state;
  }
}

/** A committed file of the caller's business with a signed GET URL for it, or for one of its variants. */
export async function downloadFile(
  ports: Ports,
  caller: FilesCaller,
  id: string,
  variant: string | undefined,
): Promise<DownloadableFile> {
  const [row] = await findInBusiness(ports.sql, caller.businessId, [id]);
  // Staged uploads are nobody's to download: they are not files yet.
  if (row === undefined || row.state !== 'committed') throw new FileNotFoundError(id);
  const variants = await variantsOf(ports.sql, [id]);
  let key = row.object_key;
  if (variant !== undefined) {
    const chosen = variants.find((candidate) => candidate.name === variant);
    if (chosen === undefined) throw new FileNotFoundError(`${id} variant ${variant}`);
    if (chosen.state !== 'ready') throw new VariantNotReadyError(variant, chosen.state);
    key = chosen.object_key;
  }
  const expiresAt = new Date(Date.now() + downloadUrlSeconds * 1000);
  const url = await ports.objects.signedUrl('GET', key, { expiresInSeconds: downloadUrlSeconds });
  return { ...toFileView(row, variants), url, urlExpiresAt: expiresAt.toISOString() };
}

import { GUICHET, type Guichet } from '@guichet/nestjs';
import { GuichetFilesError } from '@guichet/sdk';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ShownImage } from './product.ts';

/** Guichet's signed URLs live five minutes; reuse one for four, so a page never shows a dead link. */
const reuseMs = 4 * 60 * 1000;

const logger = new Logger('ProductImages');

/**
 * Signed download URLs of product images, through the SDK's files client acting as the person (so
 * Guichet checks the file belongs to their active business). The `thumb` variant is made in the
 * background after commit; until it is ready (409) the original stands in for it.
 */
@Injectable()
export class ProductImages {
  readonly #cache = new Map<string, { until: number; image: ShownImage }>();

  constructor(@Inject(GUICHET) private readonly guichet: Guichet) {}

  async show(accessToken: string, businessId: string, fileIds: readonly string[]): Promise<ShownImage[]> {
    const images = await Promise.all(fileIds.map((id) => this.#one(accessToken, businessId, id)));
    return images.filter((image): image is ShownImage => image !== undefined);
  }

  async #one(accessToken: string, businessId: string, fileId: string): Promise<ShownImage | undefined> {
    const key = `${businessId}:${fileId}`;
    const cached = this.#cache.get(key);
    if (cached !== undefined && cached.until > Date.now()) return cached.image;
    const files = this.guichet.files(accessToken);
    try {
      const thumb = await files.get(fileId, { variant: 'thumb' });
      const image: ShownImage = { fileId, url: thumb.url, variant: 'thumb' };
      this.#cache.set(key, { until: Date.now() + reuseMs, image });
      return image;
    } catch (error) {
      if (!(error instanceof GuichetFilesError)) throw error;
      if (error.status !== 409) {
        logger.warn(`image ${fileId}: ${error.detail}`);
        return undefined;
      }
    }
    // Not cached: the thumbnail is likely ready by the next page view.
    const original = await files.get(fileId).catch(() => undefined);
    return original === undefined ? undefined : { fileId, url: original.url, variant: 'original' };
  }
}

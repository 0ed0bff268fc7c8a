import type { AdminClient } from '@guichet/server';

/**
 * Declares the file purpose of product images (PUT is an upsert, so every run may send it): JPEG,
 * PNG or WebP recognised from the bytes, at most 5 MB each and 5 per product, 40 megapixels, and a
 * 480×480 WebP `thumb` variant for the shop's cards.
 */
export async function ensureFilePurpose(admin: AdminClient, name: string): Promise<void> {
  await admin.request('PUT', `/file-purposes/${encodeURIComponent(name)}`, {
    types: ['image/jpeg', 'image/png', 'image/webp'],
    maxBytes: 5 * 1024 * 1024,
    maxCount: 5,
    maxPixels: 40_000_000,
    variants: [{ name: 'thumb', width: 480, height: 480, fit: 'cover', format: 'webp' }],
  });
}

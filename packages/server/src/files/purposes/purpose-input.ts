import { InvalidFileInputError } from '../file-errors.ts';
import type { VariantSpec } from '../files-tables.ts';
import { type Purpose, sniffableTypes } from './purpose.ts';

/** What an operator gives to define a purpose (admin API body, or the CLI after parsing). */
export interface PurposeInput {
  types: string[];
  maxBytes: number;
  maxCount: number;
  maxPixels?: number | null;
  maxWidth?: number | null;
  maxHeight?: number | null;
  variants?: VariantSpec[];
}

/** Largest single file Guichet accepts: S3's limit for one PutObject. */
export const maxFileBytes = 5 * 1024 ** 3;
export const maxFilesPerCommit = 100;
/** Most pixels, and most pixels wide or tall, a purpose may allow. */
export const maxPixelsLimit = 1_000_000_000;
export const maxSideLimit = 1_000_000;
/** Widest and tallest variant. */
export const maxVariantSide = 8192;
/** As text for the JSON schemas, which check the same rules first. */
export const purposeNamePattern = '^[a-z0-9][a-z0-9_-]{0,62}$';
export const variantNamePattern = '^[a-z0-9][a-z0-9_-]{0,31}$';
const purposeName = new RegExp(purposeNamePattern);
const variantName = new RegExp(variantNamePattern);
const fits: ReadonlySet<string> = new Set(['cover', 'contain', 'inside']);
const formats: ReadonlySet<string> = new Set(['webp', 'jpeg', 'png', 'avif']);

function checkPurposeName(name: string): string {
  if (!purposeName.test(name))
    throw new InvalidFileInputError(
      'a purpose name is 1-63 lowercase letters, digits, dashes or underscores, starting with a letter or digit',
    );
  return name;
}

function positiveInteger(name: string, value: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < 1 || value > max)
    throw new InvalidFileInputError(`${name} must be an integer between 1 and ${max}`);
  return value;
}

function optionalLimit(name: string, value: number | null | undefined, max: number): number | null {
  return value === undefined || value === null ? null : positiveInteger(name, value, max);
}

function checkVariant(spec: VariantSpec): VariantSpec {
  if (!variantName.test(spec.name))
    throw new InvalidFileInputError(
      `variant name "${spec.name}" must be 1-32 lowercase letters, digits, - or _`,
    );
  if (!fits.has(spec.fit))
    throw new InvalidFileInputError(`variant ${spec.name}: fit is cover, contain or inside`);
  if (!formats.has(spec.format))
    throw new InvalidFileInputError(`variant ${spec.name}: format is webp, jpeg, png or avif`);
  return {
    name: spec.name,
    width: positiveInteger(`variant ${spec.name} width`, spec.width, maxVariantSide),
    height: positiveInteger(`variant ${spec.name} height`, spec.height, maxVariantSide),
    fit: spec.fit,
    format: spec.format,
  };
}

/** Checks every rule of a purpose definition; throws InvalidFileInputError naming the first broken one. */
export function toPurpose(name: string, input: PurposeInput): Purpose {
  checkPurposeName(name);
  const types = [...new Set(input.types.map((type) => type.trim().toLowerCase()))];
  if (types.length === 0) throw new InvalidFileInputError('a purpose accepts at least one type');
  const unknown = types.filter((type) => !sniffableTypes.includes(type));
  if (unknown.length > 0)
    throw new InvalidFileInputError(
      `cannot recognise ${unknown.join(', ')} from the bytes; known types: ${sniffableTypes.join(', ')}`,
    );
  const variants = (input.variants ?? []).map(checkVariant);
  if (new Set(variants.map((variant) => variant.name)).size !== variants.length)
    throw new InvalidFileInputError('variant names must be unique');
  return {
    name,
    types,
    maxBytes: positiveInteger('maxBytes', input.maxBytes, maxFileBytes),
    maxCount: positiveInteger('maxCount', input.maxCount, maxFilesPerCommit),
    maxPixels: optionalLimit('maxPixels', input.maxPixels, maxPixelsLimit),
    maxWidth: optionalLimit('maxWidth', input.maxWidth, maxSideLimit),
    maxHeight: optionalLimit('maxHeight', input.maxHeight, maxSideLimit),
    variants,
  };
}

const byteUnits: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1000,
  kib: 1024,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
};

/** `10MB` (decimal), `10MiB` (binary), `512KB`, `1048576`. */
export function parseByteSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = byteUnits[match?.[2]?.toLowerCase() ?? 'x'];
  if (!match || unit === undefined)
    throw new InvalidFileInputError(`"${text}" is not a size such as 10MB, 512KiB or 1048576`);
  return Math.round(Number(match[1]) * unit);
}

/** `40M` pixels, `1.5M`, `800K`, `2000000`. */
export function parsePixelCount(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([km]?)p?$/i.exec(text.trim());
  if (!match) throw new InvalidFileInputError(`"${text}" is not a pixel count such as 40M or 2000000`);
  const factor = { '': 1, k: 1000, m: 1_000_000 }[match[2]?.toLowerCase() ?? ''] ?? 1;
  return Math.round(Number(match[1]) * factor);
}

/** `thumb:320x320`, `medium:1024x1024:inside:jpeg`: name, box, then optional fit and format. */
export function parseVariant(text: string): VariantSpec {
  const match = /^([^:]+):(\d+)x(\d+)(?::([a-z]+))?(?::([a-z]+))?$/.exec(text.trim());
  if (!match?.[1])
    throw new InvalidFileInputError(
      `"${text}" is not a variant such as thumb:320x320 or medium:1024x1024:inside:jpeg`,
    );
  return checkVariant({
    name: match[1],
    width: Number(match[2]),
    height: Number(match[3]),
    fit: (match[4] ?? 'cover') as VariantSpec['fit'],
    format: (match[5] ?? 'webp') as VariantSpec['format'],
  });
}

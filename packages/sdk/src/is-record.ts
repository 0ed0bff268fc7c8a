/** A JSON object (not an array, not null): what every answer of Guichet's is checked to be first. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

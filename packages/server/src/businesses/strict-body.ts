import type { FastifyReply, FastifyRequest } from 'fastify';
import { problem, sendProblem } from '../http/problem-details.ts';

type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object' | 'null';

interface PropertySchema {
  readonly type: JsonType;
  readonly items?: PropertySchema;
}

interface ObjectSchema {
  readonly properties: Readonly<Record<string, PropertySchema>>;
}

function hasType(value: unknown, schema: PropertySchema): boolean {
  switch (schema.type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number';
    case 'integer':
      return Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array': {
      const items = schema.items;
      return Array.isArray(value) && (items === undefined || value.every((item) => hasType(item, items)));
    }
  }
}

function describeType(schema: PropertySchema): string {
  if (schema.type === 'array' && schema.items !== undefined) return `an array of ${schema.items.type}s`;
  return /^[aeiou]/.test(schema.type) ? `an ${schema.type}` : `a ${schema.type}`;
}

/**
 * What is wrong with a JSON object body that Fastify's validator would let through: it strips unknown
 * fields and coerces types (3 becomes "3", "owner" becomes ["owner"]), while an admin API should refuse
 * a typo or a wrong type outright. Empty when nothing is.
 */
export function lenientBodyFaults(body: unknown, schema: ObjectSchema): string[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return [];
  const known = Object.keys(schema.properties);
  const faults: string[] = [];
  const unknown = Object.keys(body).filter((field) => !known.includes(field));
  if (unknown.length > 0) faults.push(`unknown field ${unknown.join(', ')}; expected ${known.join(', ')}`);
  for (const [field, value] of Object.entries(body)) {
    const property = schema.properties[field];
    if (property !== undefined && !hasType(value, property))
      faults.push(`${field} must be ${describeType(property)}`);
  }
  return faults;
}

/** A preValidation hook answering 400 problem details for the faults lenientBodyFaults finds. */
export function refuseLenientBody(schema: ObjectSchema) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const faults = lenientBodyFaults(request.body, schema);
    if (faults.length === 0) return;
    return sendProblem(reply, problem(400, faults.join('; ')));
  };
}

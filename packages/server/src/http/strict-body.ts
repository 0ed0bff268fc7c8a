import type { FastifyReply, FastifyRequest } from 'fastify';
import { problem, sendProblem } from './problem-details.ts';

/*
 * Fastify's validator strips unknown fields silently and coerces types (3 becomes "3", "owner" becomes
 * ["owner"]), while an admin API should refuse a typo outright: a "pubic" field must not register
 * another kind of client. These checks run before validation (as preValidation hooks).
 */

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

function isJsonObject(body: unknown): body is object {
  return typeof body === 'object' && body !== null && !Array.isArray(body);
}

/** The fields of a JSON object body that a route does not know, in the order sent. */
function unknownFields(body: unknown, known: readonly string[]): string[] {
  if (!isJsonObject(body)) return [];
  return Object.keys(body).filter((field) => !known.includes(field));
}

/** The unknown fields of a JSON object body, as a problem detail; empty when there are none. */
function unknownFieldFaults(body: unknown, known: readonly string[]): string[] {
  const unknown = unknownFields(body, known);
  return unknown.length === 0 ? [] : [`unknown field ${unknown.join(', ')}; expected ${known.join(', ')}`];
}

/**
 * What is wrong with a JSON object body that Fastify's validator would let through: an unknown field
 * or a value of another type than the schema's. Empty when nothing is.
 */
export function lenientBodyFaults(body: unknown, schema: ObjectSchema): string[] {
  if (!isJsonObject(body)) return [];
  const faults = unknownFieldFaults(body, Object.keys(schema.properties));
  for (const [field, value] of Object.entries(body)) {
    const property = schema.properties[field];
    if (property !== undefined && !hasType(value, property))
      faults.push(`${field} must be ${describeType(property)}`);
  }
  return faults;
}

/** A preValidation hook answering 400 problem details for the faults `faultsOf` finds in the body. */
function refuseBodyWith(faultsOf: (body: unknown) => string[]) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const faults = faultsOf(request.body);
    if (faults.length === 0) return;
    return sendProblem(reply, problem(400, faults.join('; ')));
  };
}

/** A preValidation hook refusing a body with a field not in `known` (types are left to the schema). */
export function refuseUnknownFields(known: readonly string[]) {
  return refuseBodyWith((body) => unknownFieldFaults(body, known));
}

/** A preValidation hook refusing a body with an unknown field or a value of the wrong type. */
export function refuseLenientBody(schema: ObjectSchema) {
  return refuseBodyWith((body) => lenientBodyFaults(body, schema));
}

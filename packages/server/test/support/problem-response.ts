import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { problemContentType } from '../../src/http/problem-details.ts';

/** Problem details (RFC 9457) as the server sends them, with any extension members (field, slug...). */
export interface ProblemJson {
  type: string;
  title: string;
  status: number;
  detail?: string;
  [extension: string]: unknown;
}

/** Asserts that `response` is problem details with `status`, in the body too; returns the body. */
export function problemOf(response: LightMyRequestResponse, status: number): ProblemJson {
  assert.equal(response.statusCode, status, response.body);
  assert.equal(response.headers['content-type'], problemContentType);
  const body = response.json<ProblemJson>();
  assert.equal(body.status, status);
  assert.ok(body.title);
  return body;
}

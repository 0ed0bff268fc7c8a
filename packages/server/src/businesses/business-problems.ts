import { type Problem, problem } from '../http/problem-details.ts';
import {
  InvalidBusinessInputError,
  SlugTakenError,
  UnknownAccountError,
  UnknownBusinessError,
} from './business-errors.ts';

/** The problem details answering one of this domain's errors, or undefined for any other error. */
export function businessProblem(error: unknown): Problem | undefined {
  if (error instanceof InvalidBusinessInputError) return problem(400, error.message, { field: error.field });
  if (error instanceof UnknownBusinessError || error instanceof UnknownAccountError)
    return problem(404, error.message);
  if (error instanceof SlugTakenError) return problem(409, error.message, { slug: error.slug });
  return undefined;
}

// The one error shape of the HTTP API: `{ error: { code, message, issues? } }`. Routes throw HttpError; the error
// plugin turns everything else (Fastify, ajv, Temporal, bugs) into the same shape.
import type { Issue } from './schemas/common.js';

export type { Issue };

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly issues?: Issue[],
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const notFound = (what: string) => new HttpError(404, 'not_found', `${what} not found`);

export function errorBody(code: string, message: string, issues?: Issue[]) {
  return { error: issues ? { code, message, issues } : { code, message } };
}

/** ajv errors (all of them) as issues whose paths are rooted at `root`, e.g. `/body/credentials`. */
export function schemaIssues(
  root: string,
  errs: readonly { keyword: string; instancePath: string; params: object; message?: string }[],
): Issue[] {
  return errs.map((e) => ({
    path:
      root +
      e.instancePath +
      (e.keyword === 'required' ? `/${String((e.params as { missingProperty?: unknown }).missingProperty)}` : ''),
    code: e.keyword,
    message: e.message ?? 'invalid',
  }));
}

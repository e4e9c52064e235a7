// What no route has to think about: JSON nested deeper than anything Confluo stores, and text PostgreSQL cannot hold
// (NUL characters, lone UTF-16 surrogates) in path parameters, query strings and API bodies. Each is a 400 naming the
// field, before any schema, lookup or write (without this they reached PostgreSQL and came back as 500s).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { jsonBytes } from '../../connectors/flow/budget.js';
import { HttpError, type Issue } from '../errors.js';

export const INPUT_LIMITS = {
  /** Nesting of arrays and objects in a JSON body (a flow definition needs about 35; provider webhooks far less). */
  depth: 64,
  /**
   * Bytes of JSON a request may hand Temporal to start a workflow (a webhook run's definition and trigger, a channel
   * event's ingest). Temporal refuses payloads over 2 MiB, and the client retries the refusal for about 40 s before
   * it surfaces (measured: a 900 KB text body of NULs is 5.4 MB as JSON, a 500 after 40 s); 1.5 MiB leaves room for
   * the memo and search attributes. Raw bodies grow as JSON (a control character takes 6 bytes), so the body limit
   * alone does not bound this.
   */
  startBytes: 1536 * 1024,
} as const;

const escapePointer = (key: string) => {
  const k = key.length > 64 ? `${key.slice(0, 61)}...` : key;
  return k.replace(/~/g, '~0').replace(/\//g, '~1');
};

/** Iterative, so no nesting can exhaust the stack. `visit` returns an issue to stop at, or undefined to go on. */
function walk(value: unknown, root: string, visit: (v: unknown, at: string, depth: number) => Issue | undefined) {
  const stack: Array<[unknown, string, number]> = [[value, root, 0]];
  while (stack.length > 0) {
    const [v, at, depth] = stack.pop()!;
    const issue = visit(v, at, depth);
    if (issue) return issue;
    if (v !== null && typeof v === 'object')
      for (const [k, child] of Object.entries(v)) stack.push([child, `${at}/${escapePointer(k)}`, depth + 1]);
  }
  return undefined;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function textProblem(s: string): string | undefined {
  if (s.includes('\u0000')) return 'contains a NUL character (\\u0000), which cannot be stored';
  if (LONE_SURROGATE.test(s)) return 'contains a lone surrogate (not valid Unicode text)';
  return undefined;
}

/** The first string or key under `value` that PostgreSQL cannot store, as an issue rooted at `root`. */
export function textIssue(value: unknown, root: string): Issue | undefined {
  return walk(value, root, (v, at) => {
    if (typeof v === 'string') {
      const problem = textProblem(v);
      if (problem) return { path: at, code: 'invalid_text', message: problem };
    } else if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      for (const k of Object.keys(v)) {
        const problem = textProblem(k);
        if (problem) return { path: `${at}/${escapePointer(k)}`, code: 'invalid_text', message: `a key ${problem}` };
      }
    }
    return undefined;
  });
}

/** The first place `value` nests deeper than INPUT_LIMITS.depth. */
export function depthIssue(value: unknown, root: string): Issue | undefined {
  return walk(value, root, (v, at, depth) =>
    depth > INPUT_LIMITS.depth && v !== null && typeof v === 'object'
      ? { path: at, code: 'too_deep', message: `JSON nests more than ${INPUT_LIMITS.depth} levels deep` }
      : undefined,
  );
}

const invalid = (issue: Issue) =>
  new HttpError(400, issue.code === 'too_deep' ? 'too_deep' : 'invalid_text', issue.message, [issue]);

/**
 * Whether JSON text nests arrays and objects deeper than INPUT_LIMITS.depth, as depthIssue counts it (the top level is
 * 0), by one pass over the bytes without parsing (brackets inside strings do not count). For raw bodies kept as bytes
 * (the channel gateway): a connector parses them, and anything deeper than this cannot be written back as JSON
 * (JSON.stringify recurses; a Temporal payload and a jsonb column are JSON), so it is refused before any connector
 * sees it. Text that is not JSON is scanned the same way; only 65 brackets open at once can trip it.
 */
export function jsonTooDeep(raw: Uint8Array, limit: number = INPUT_LIMITS.depth): boolean {
  let open = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i];
    if (inString) {
      if (b === 0x5c)
        i++; // a backslash: skip the escaped byte
      else if (b === 0x22) inString = false;
    } else if (b === 0x22) inString = true;
    else if (b === 0x5b || b === 0x7b) {
      if (++open > limit + 1) return true;
    } else if (b === 0x5d || b === 0x7d) open--;
  }
  return false;
}

/** The 400 for a raw body jsonTooDeep refuses. */
export const tooDeepBody = () =>
  invalid({ path: '/body', code: 'too_deep', message: `JSON nests more than ${INPUT_LIMITS.depth} levels deep` });

/**
 * The JSON body parser of every route. Many HTTP clients send `content-type: application/json` on every POST, also on
 * the body-less action endpoints (publish, cancel, retry, a test run without a sample): an empty body there means "no
 * options", and routes that need a body refuse it at their schema. Malformed JSON stays 400 `invalid_json`; nesting
 * deeper than INPUT_LIMITS.depth is 400 `too_deep`.
 */
export function registerJsonParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string; // parseAs: 'string'
    if (text.trim() === '') return done(null, undefined);
    void parseJson(request, text, (err, value) => {
      if (err) return done(err, undefined);
      const deep = depthIssue(value, '/body');
      return deep ? done(invalid(deep), undefined) : done(null, value);
    });
  });
}

type Part = 'params' | 'query' | 'body';

/** Refuses text PostgreSQL cannot store in the given parts of every request of `app`'s routes. */
export function registerTextGuard(app: FastifyInstance, parts: Part[]): void {
  app.addHook('preValidation', async (request: FastifyRequest) => {
    for (const part of parts) {
      const issue = textIssue(request[part], `/${part}`);
      if (issue) throw invalid(issue);
    }
  });
}

/**
 * 413 `body_too_large` when `input`, what a request is about to hand Temporal to start a workflow, is over
 * INPUT_LIMITS.startBytes of JSON: answered at once, before anything is started. `what` names what was sent.
 */
export function checkStartBytes(input: unknown, what: string): void {
  if (jsonBytes(input, INPUT_LIMITS.startBytes) > INPUT_LIMITS.startBytes)
    throw new HttpError(
      413,
      'body_too_large',
      `${what}: over ${INPUT_LIMITS.startBytes} bytes once written as JSON (a control character takes 6 bytes)`,
    );
}

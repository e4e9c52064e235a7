// The one error shape of the HTTP API: `{ error: { code, message, issues? } }`. Routes throw HttpError, built by the
// named factories in `httpErrors` (fastify's lib/errors.js idea, scaled to this app) so each code and its sentence are
// written once; the error plugin turns everything else (Fastify, ajv, Temporal, bugs) into the same shape.
import type { AccountUnavailable } from '../prisma/channel-accounts.js';
import type { Issue } from './schemas/common.js';

export type { Issue };

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly issues?: Issue[],
    /** Headers the answer carries, e.g. `retry-after`. */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/**
 * Seconds a caller is asked to wait after a 503 temporal_unavailable. The server itself reconnects within about a
 * second of Temporal's return (worker/temporal-config.ts), so this is only how often a caller usefully asks again
 * while Temporal restarts (a dev server takes 1–2 s, a cluster's frontend more).
 */
export const TEMPORAL_RETRY_AFTER_S = 2;

/**
 * Seconds a caller is asked to wait after a 503 inbound_backlog_full: the relay starts a few hundred events a second
 * once Temporal answers, so a few seconds usually bring the backlog back under its bound.
 */
export const INBOUND_RETRY_AFTER_S = 5;

export const httpErrors = {
  /** 400: the request does not match what the route accepts; `issues` say where. */
  validation: (message: string, issues?: Issue[]) => new HttpError(400, 'validation_failed', message, issues),
  /** 400 for one bad query parameter, e.g. a cursor not from this API. */
  badQuery: (param: string, code: string, message: string) =>
    new HttpError(400, 'validation_failed', 'the request is not valid', [{ path: `/query/${param}`, code, message }]),
  /** 400: a provider's payload the channel cannot parse. */
  payloadInvalid: (message: string) => new HttpError(400, 'payload_invalid', message),
  /** 401 on /api/*: no key, or an unknown one. */
  unauthorized: (message: string) => new HttpError(401, 'unauthorized', message),
  /** 401: an inbound request whose provider signature does not verify. */
  signatureInvalid: (reason: string) => new HttpError(401, 'signature_invalid', reason),
  /** 401: a web chat visitor token that does not match its visitor id. */
  tokenInvalid: () =>
    new HttpError(
      401,
      'token_invalid',
      'the visitor token is missing or does not match the visitor id: start a new session',
    ),
  /** 403: a website the web chat account does not allow. */
  originNotAllowed: () =>
    new HttpError(
      403,
      'origin_not_allowed',
      "this website is not allowed to use this chat (the account's allowedOrigins)",
    ),
  /** 403: the key's role is below what the route needs. */
  forbidden: (needed: string, has: string) =>
    new HttpError(403, 'forbidden', `this needs a key with the ${needed} role (or above); this key's role is ${has}`),
  /** 404, the same for "does not exist" and "is another workspace's" (ids of others are not disclosed). */
  notFound: (what: string) => new HttpError(404, 'not_found', `${what} not found`),
  /** 404: a channel account that exists but takes no webhooks. */
  noInbound: (accountId: string) =>
    new HttpError(404, 'not_found', `channel account ${accountId} receives nothing over webhooks`),
  methodNotAllowed: (message: string) => new HttpError(405, 'method_not_allowed', message),
  /** 400: a contact merged with itself. */
  mergeSelf: (path = '/body/contactId') =>
    new HttpError(400, 'merge_self', 'a contact cannot be merged with itself', [
      { path, code: 'merge_self', message: 'the contact to merge is this contact' },
    ]),
  /** 409: both contacts are one merged contact already. */
  alreadyMerged: () =>
    new HttpError(409, 'already_merged', 'these contacts are merged already (one is in the other, or both in a third)'),
  /** 409: an identity added by hand that other contacts hold; `shared: true` keeps it on both. */
  identityClaimed: (holders: string[]) =>
    new HttpError(
      409,
      'identity_claimed',
      `another contact holds this identity (${holders.join(', ')}): merge the contacts, or send shared: true if both truly use it`,
      [{ path: '/body/value', code: 'identity_claimed', message: `held by ${holders.join(', ')}` }],
    ),
  /** 409: a duplicate suggestion merged or dismissed already. */
  duplicateNotOpen: () =>
    new HttpError(409, 'not_open', 'this suggestion was merged or dismissed already: nothing to resolve'),
  /** 409: a custom attribute defined already (PATCH it, or DELETE it first). */
  attributeExists: (key: string) =>
    new HttpError(409, 'attribute_exists', `the attribute ${key} is defined already: change it with PATCH`, [
      { path: '/body/key', code: 'attribute_exists', message: `${key} is defined already` },
    ]),
  /** 400: a value of a defined custom attribute that does not fit its type; the issue names `attributes.<key>`. */
  attributeInvalid: (key: string, problem: string) =>
    new HttpError(400, 'validation_failed', `attributes.${key}: ${problem}`, [
      { path: `/body/attributes/${key}`, code: 'attribute_type', message: `attributes.${key}: ${problem}` },
    ]),
  /** 409: an undo of a merge already undone. */
  notMerged: () => new HttpError(409, 'not_merged', 'this merge was undone already: nothing to undo'),
  runNotFailed: (status: string) =>
    new HttpError(409, 'run_not_failed', `only failed or cancelled runs can be retried; this one is ${status}`),
  /** 409: a schedule pause or resume for a flow whose published version has no schedule trigger. */
  notScheduled: () =>
    new HttpError(409, 'not_scheduled', 'this flow has no schedule: publish a version with a schedule trigger first', [
      { path: '/trigger/type', code: 'not_scheduled', message: 'the published version does not start on a schedule' },
    ]),
  /** 409: a poll pause or resume for a flow whose published version has no poll trigger. */
  notPolling: () =>
    new HttpError(409, 'not_polling', 'this flow does not poll: publish a version with a poll trigger first', [
      { path: '/trigger/type', code: 'not_polling', message: 'the published version does not start on a poll' },
    ]),
  triggerMismatch: (triggerType: string) =>
    new HttpError(409, 'trigger_mismatch', `this flow starts on ${triggerType} events, not on webhook calls`),
  /** 422: an Idempotency-Key sent again with a different request. */
  idempotencyKeyReused: (message: string) => new HttpError(422, 'idempotency_key_reused', message),
  /** 422 with every issue: the flow cannot run (publish, test runs). */
  flowInvalid: (issues: Issue[]) =>
    new HttpError(422, 'flow_invalid', `the flow has ${issues.length} issue(s)`, issues),
  /** 422 (the caller's to fix) or 502 (the provider's): a channel's webhook registration was refused. */
  registrationFailed: (status: 422 | 502, message: string, issues: Issue[]) =>
    new HttpError(status, 'registration_failed', message, issues),
  /** 422: an agent reply the channel refused. */
  sendFailed: (message: string, issues: Issue[]) => new HttpError(422, 'send_failed', message, issues),
  /** 503: the server has no key to seal or open channel-account credentials. */
  secretsUnavailable: () =>
    new HttpError(
      503,
      'secrets_unavailable',
      'channel accounts need a secret key: start the server with CONFLUO_SECRET_KEY set',
    ),
  /** 503: stored credentials that do not decrypt (another key, altered bytes). */
  accountUnreadable: () => new HttpError(503, 'account_unreadable', 'this channel account cannot be read right now'),
  /**
   * 503: Temporal could not be reached or did not answer within CONFLUO_TEMPORAL_DEADLINE_MS. For a webhook or a
   * delivery nothing was acknowledged: the caller retries (after `Retry-After` seconds), under the same dedupe key.
   */
  temporalUnavailable: () =>
    new HttpError(503, 'temporal_unavailable', 'the workflow service is unavailable; retry later', undefined, {
      'retry-after': String(TEMPORAL_RETRY_AFTER_S),
    }),
  /**
   * 503: more acknowledged events wait for Temporal than CONFLUO_INBOUND_BACKLOG_MAX. Nothing was stored or
   * acknowledged: the caller retries after `Retry-After` seconds, under the same dedupe key.
   */
  inboundBacklogFull: (max: number) =>
    new HttpError(
      503,
      'inbound_backlog_full',
      `more than ${max} acknowledged events are waiting to start (the workflow service is slow or down); retry later`,
      undefined,
      { 'retry-after': String(INBOUND_RETRY_AFTER_S) },
    ),
  /** 422: a step test of a node that is no action (only actions run on their own), or of an unknown action. */
  stepNotTestable: (issue: Issue) => new HttpError(422, 'step_not_testable', issue.message, [issue]),
  /** 422: a step test whose input cannot be resolved (a template or data function fails); each issue names a field. */
  stepInputInvalid: (issues: Issue[]) =>
    new HttpError(422, 'step_input_invalid', "the step's input cannot be resolved in this context", issues),
  /** 409: a step test from the last run of a flow that has none yet. */
  noRunToTest: () =>
    new HttpError(409, 'no_run', 'this flow has no run yet to take the data from: test from samples, or run it first', [
      { path: '/body/from', code: 'no_run', message: 'the flow has no run yet' },
    ]),
  /** 429: too many step tests of one flow in a short time. */
  stepTestsLimited: (retryAfterS: number) =>
    new HttpError(429, 'rate_limited', `too many step tests of this flow; try again in ${retryAfterS} s`, undefined, {
      'retry-after': String(retryAfterS),
    }),
  /** 504: no worker finished a step test within its wait (none running, or all busy). */
  stepTestTimeout: (message: string) => new HttpError(504, 'step_test_timeout', message),
  /** 503: a web chat account saved before it had a widget secret. */
  accountNotReady: () =>
    new HttpError(503, 'account_not_ready', 'this web chat account has no widget secret yet: save the account again'),
};

/**
 * The HTTP answer to a channel account the store could not open, for the gateway and the web chat routes alike: 503
 * while the server cannot read it, 404 when there is nothing to reach. `what` names the account in every 404 ("web chat
 * account"); without it, an account of a connector that is no channel "receives nothing over webhooks".
 */
export function accountUnavailable(err: AccountUnavailable, what?: string): HttpError {
  switch (err.reason) {
    case 'no_key':
      return httpErrors.secretsUnavailable();
    case 'unreadable':
      return httpErrors.accountUnreadable();
    case 'not_found':
      return httpErrors.notFound(what ?? 'channel account');
    case 'not_channel':
      return what ? httpErrors.notFound(what) : httpErrors.noInbound(err.accountId);
  }
}

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

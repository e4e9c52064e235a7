// The respond node (README.md "Respond"): a webhook flow's answer to the HTTP caller that is waiting for it, built from
// the node's status, headers and templated body. The checks validate.ts runs at publish (a respond in a flow no HTTP
// caller waits on, a status no response can have, a header the server owns) and the run-time build the workflow calls.
// Sandbox-safe: no I/O, no clock, no ajv (the workflow imports it through runtime.ts).
import { parseDuration } from './duration.js';
import { isTemplated, resolveTemplates } from './template.js';
import type { EvaluateOptions } from './logic.js';
import type { JsonValue, RespondNode, ValidationIssue } from './types.js';

/** What a respond node answers, and what its step records as its output (with `sent`). */
export interface WebhookResponse {
  status: number;
  /** Header names in lower case; values as sent. */
  headers: Record<string, string>;
  /** Absent: an empty body. A string is sent as text, anything else as JSON (unless a content-type says otherwise). */
  body?: JsonValue;
}

/** A respond step's output: the response, and whether it became the run's answer (`reason` when it did not). */
export interface RespondOutput extends WebhookResponse {
  sent: boolean;
  reason?: string;
}

export const RESPOND_DEFAULT_STATUS = 200;
/** Final statuses only: 1xx are interim responses, which a webhook answer cannot be. */
export const RESPOND_STATUS = { min: 200, max: 599 } as const;
/** Statuses whose response has no body (RFC 9110): a body there is a validation issue, not silently dropped. */
export const BODYLESS_STATUSES = [204, 304] as const;

/** How long the webhook waits for the answer before it says 202 with the run id (`trigger.respond.timeout`). */
export const RESPOND_TIMEOUT = { default: 'PT10S', min: 1000, max: 30_000 } as const;

/**
 * Headers a flow may not set: hop-by-hop headers (RFC 9110 §7.6.1: connection and the ones it names), the framing the
 * server computes from the body (content-length, transfer-encoding), `host`, and `idempotent-replayed`, which the
 * webhook sets itself for a repeated Idempotency-Key.
 */
export const RESPOND_FORBIDDEN_HEADERS = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'content-length',
  'host',
  'idempotent-replayed',
] as const;

/** An HTTP field name (RFC 9110 token). */
export const HEADER_NAME_PATTERN = "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$";
const HEADER_NAME_RE = new RegExp(HEADER_NAME_PATTERN);
/** Characters a field value may not hold (Node refuses them too): controls but tab, DEL, and anything past U+00FF. */
const BAD_VALUE_RE = /[^\t\x20-\x7e\x80-\xff]/;
const MAX_HEADERS = 50;

/** Why `name` cannot be a header a flow sets, or null. */
export function headerNameProblem(name: string): string | null {
  if (!HEADER_NAME_RE.test(name)) return `"${name}" is not a header name (letters, digits and !#$%&'*+.^_\`|~-)`;
  if ((RESPOND_FORBIDDEN_HEADERS as readonly string[]).includes(name.toLowerCase()))
    return `"${name}" is set by the server, not by a flow`;
  return null;
}

/** Why `value` cannot be a header value, or null. */
export function headerValueProblem(value: string): string | null {
  return BAD_VALUE_RE.test(value) ? 'holds a line break, a control character or a character past U+00FF' : null;
}

/** The trigger's wait for the answer, in ms (the default when unset). */
export function respondTimeoutMs(trigger: { respond?: { timeout?: string } } | undefined): number {
  return parseDuration(trigger?.respond?.timeout ?? RESPOND_TIMEOUT.default);
}

/** Whether a definition answers its webhook callers itself (has a respond node). */
export const respondsSynchronously = (def: { nodes: ReadonlyArray<{ type: string }> }): boolean =>
  def.nodes.some((n) => n.type === 'respond');

/** A respond node resolved against the run context. Throws (the step fails) on a header value no response can carry. */
export function buildResponse(node: RespondNode, ctx: object, opts: EvaluateOptions = {}): WebhookResponse {
  const headers: Record<string, string> = {};
  for (const [name, raw] of Object.entries(node.headers ?? {})) {
    const value = resolveTemplates(raw, ctx, opts);
    if (value === null) continue; // a missing value leaves the header out
    if (typeof value === 'object')
      throw new Error(`header "${name}" of respond "${node.id}" resolved to a list or an object, not a text`);
    const text = String(value);
    const problem = headerValueProblem(text);
    if (problem) throw new Error(`header "${name}" of respond "${node.id}" ${problem}`);
    headers[name.toLowerCase()] = text;
  }
  const body = node.body === undefined ? undefined : resolveTemplates(node.body, ctx, opts);
  return { status: node.status ?? RESPOND_DEFAULT_STATUS, headers, ...(body !== undefined && { body }) };
}

function timeoutProblem(iso: string): string | null {
  let ms: number;
  try {
    ms = parseDuration(iso);
  } catch {
    return 'is not an ISO-8601 duration like PT10S';
  }
  return ms < RESPOND_TIMEOUT.min || ms > RESPOND_TIMEOUT.max
    ? 'is out of range: a webhook waits for its answer from PT1S to PT30S'
    : null;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Publish-time issues of the respond nodes and the webhook's `respond` settings (the schema checks their types):
 * respond only in a webhook flow, a body only where the status has one, header names and literal values a response
 * can carry, a timeout within RESPOND_TIMEOUT.
 */
export function respondIssues(def: unknown): ValidationIssue[] {
  if (!isObj(def)) return [];
  const issues: ValidationIssue[] = [];
  const trigger = isObj(def.trigger) ? def.trigger : undefined;
  const nodes = Array.isArray(def.nodes) ? def.nodes : [];
  nodes.forEach((node: unknown, i) => {
    if (!isObj(node) || node.type !== 'respond') return;
    const at = `/nodes/${i}`;
    const nodeId = typeof node.id === 'string' ? node.id : undefined;
    const add = (path: string, code: string, message: string) =>
      issues.push({ path, code, message, ...(nodeId !== undefined && { nodeId }) });
    if (trigger?.type !== 'webhook')
      add(
        `${at}/type`,
        'respond_trigger',
        `respond "${nodeId}" answers a waiting HTTP caller, which only a webhook flow has (this flow's trigger is ${JSON.stringify(trigger?.type)})`,
      );
    if ((BODYLESS_STATUSES as readonly unknown[]).includes(node.status) && node.body !== undefined)
      add(`${at}/body`, 'respond_body', `a ${String(node.status)} response has no body; remove the body`);
    if (isObj(node.headers)) {
      const names = Object.keys(node.headers);
      if (names.length > MAX_HEADERS) add(`${at}/headers`, 'respond_header', `more than ${MAX_HEADERS} headers`);
      const seen = new Set<string>();
      for (const name of names) {
        const pointer = `${at}/headers/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
        const problem = headerNameProblem(name);
        if (problem) add(pointer, 'respond_header', problem);
        else if (seen.has(name.toLowerCase()))
          add(pointer, 'respond_header', `header "${name}" is set twice (names are case-insensitive)`);
        seen.add(name.toLowerCase());
        const value = node.headers[name];
        if (typeof value === 'string' && !isTemplated(value)) {
          const bad = headerValueProblem(value);
          if (bad) add(pointer, 'respond_header', `header "${name}" ${bad}`);
        }
      }
    }
  });
  const respond = trigger?.type === 'webhook' && isObj(trigger.respond) ? trigger.respond : undefined;
  if (typeof respond?.timeout === 'string') {
    const problem = timeoutProblem(respond.timeout);
    if (problem)
      issues.push({
        path: '/trigger/respond/timeout',
        code: 'invalid_duration',
        message: `respond.timeout "${respond.timeout}" ${problem}`,
      });
  }
  return issues;
}

// Provider calls, the one way a connector reaches its provider: a connector declares the provider once
// (`defineProvider`: its name, public hosts and default base URL), reads a base URL set in settings through it (checked
// against those hosts and the operator's allowlist), and calls through it. Every call goes over the SDK's guarded
// dispatcher (guard.ts: no private, loopback or link-local address unless the operator allows it; no redirects
// followed), with a per-request timeout on top of the step's signal; transport failures (timeout, cancellation,
// network, a refused address) become ConnectorErrors that say which, without the URL. Mapping the answer (status,
// body) to a result or an error stays with each connector, which knows its provider's shapes: only what the provider's
// documented error shape says may reach an error message (`providerText`), never a raw body.
import { fetch, type Dispatcher } from 'undici';
import { Type, type TString } from 'typebox';
import type { JsonSchema, SchemaLike } from './base.js';
import { ConnectorError } from './errors.js';
import {
  baseUrlProblem,
  createGuardedDispatcher,
  guardRefusal,
  httpOptionsFromEnv,
  type HttpGuardOptions,
  type ProviderHosts,
} from './guard.js';

/** Per request, on top of the step's own signal: a hung connection must not hold a step until its timeout. */
export const PROVIDER_TIMEOUT_MS = 30_000;

export interface ProviderAnswer {
  status: number;
  text: string;
  retryAfter: string | null;
  /** The response headers the request named in `responseHeaders` (lower-case names), those present. */
  headers?: Record<string, string>;
}

export interface ProviderRequest {
  /** Names the call in error messages, e.g. `Slack chat.postMessage`; never the URL (it may hold a token). */
  label: string;
  /** On the provider's base URL (one `baseUrl` returned); checked again here. */
  url: string;
  init: Omit<RequestInit, 'signal' | 'redirect' | 'dispatcher'>;
  /** The step's signal. */
  signal: AbortSignal;
  timeoutMs?: number;
  /** Whether errors keep the fetch error as `cause`: false when the URL carries a secret (its messages quote it). */
  keepCause?: boolean;
  /** Response headers to hand back besides Retry-After (e.g. a provider's rate-limit headers), by name. */
  responseHeaders?: readonly string[];
}

export interface ProviderSpec extends ProviderHosts {
  /** The base URL calls go to when the setting is absent, on one of `hosts`, e.g. `https://api.telegram.org`. */
  defaultBaseUrl: string;
}

export interface Provider extends ProviderSpec {
  /**
   * A settings field for the base URL: a URI string defaulting to `defaultBaseUrl`, marked (`x-confluo-provider`) so
   * the platform checks a value against the provider's hosts (and the scheme) when an account is saved.
   */
  baseUrlField(opts?: { title?: string; description?: string }): TString;
  /**
   * The base URL to call, trailing slashes trimmed: the setting's value (the default when absent) if it passes
   * `baseUrlProblem`, else a config ConnectorError `BASE_URL_NOT_ALLOWED` naming the setting.
   */
  baseUrl(value: string | undefined, setting?: string): string;
  /** One call through the guard. */
  call(req: ProviderRequest): Promise<ProviderAnswer>;
}

/** The schema keyword `baseUrlField` marks a base URL setting with. */
export const PROVIDER_KEYWORD = 'x-confluo-provider';

// One guarded dispatcher for every provider call of the process; the options are read on every connection.
let shared: Dispatcher | undefined;
let guardOptions: () => HttpGuardOptions = () => httpOptionsFromEnv();
const dispatcher = () => (shared ??= createGuardedDispatcher(() => guardOptions(), { maxRedirections: 0 }));

/** For tests of the guard itself: where provider calls may connect (default: the environment, read per call). */
export function setProviderGuardOptions(get: (() => HttpGuardOptions) | undefined): void {
  guardOptions = get ?? (() => httpOptionsFromEnv());
}

export function defineProvider(spec: ProviderSpec): Provider {
  const hosts: ProviderHosts = { name: spec.name, hosts: spec.hosts };
  const check = (url: string, what: string, details: { setting?: string }) => {
    const problem = baseUrlProblem(url, hosts, guardOptions());
    if (problem)
      throw new ConnectorError('config', `${what} ${problem}`, {
        code: 'BASE_URL_NOT_ALLOWED',
        retryable: false,
        details,
      });
  };
  return {
    ...spec,
    baseUrlField: (opts = {}) =>
      Type.String({
        format: 'uri',
        default: spec.defaultBaseUrl,
        title: opts.title ?? 'API base URL',
        description:
          opts.description ??
          `The ${spec.name}; another host (a proxy, a test server) must be listed in CONFLUO_HTTP_ALLOWLIST.`,
        [PROVIDER_KEYWORD]: hosts,
      }),
    baseUrl(value, setting = 'apiBaseUrl') {
      const url = value ?? spec.defaultBaseUrl;
      check(url, `the account setting ${setting}`, { setting });
      return url.replace(/\/+$/, '');
    },
    async call(req) {
      let origin: string;
      try {
        origin = new URL(req.url).origin;
      } catch {
        origin = req.url;
      }
      check(origin, `${req.label}: the URL`, {});
      return callProvider(req);
    },
  };
}

/**
 * The base URL settings of `settings` (fields `baseUrlField` made) that break the rule, for the platform to refuse
 * when an account is saved: each with the field name and the problem.
 */
export function providerUrlProblems(
  schema: SchemaLike | undefined,
  settings: Record<string, unknown> | undefined,
  opts: HttpGuardOptions = guardOptions(),
): { field: string; problem: string }[] {
  const properties = ((schema as JsonSchema | undefined)?.properties ?? {}) as Record<string, JsonSchema>;
  const out: { field: string; problem: string }[] = [];
  for (const [field, prop] of Object.entries(properties)) {
    const hosts = prop[PROVIDER_KEYWORD] as ProviderHosts | undefined;
    const value = settings?.[field];
    if (!hosts || typeof value !== 'string') continue;
    const problem = baseUrlProblem(value, hosts, opts);
    if (problem) out.push({ field, problem });
  }
  return out;
}

const TEXT_MAX = 300;

/**
 * A provider's own error text (a description or message field of its documented error shape) as it may appear in an
 * error message: control characters dropped, whitespace collapsed, at most 300 characters. Never pass a raw body.
 */
export function providerText(text: string): string {
  const clean = text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return clean.length > TEXT_MAX ? `${clean.slice(0, TEXT_MAX)}…` : clean;
}

async function callProvider(req: ProviderRequest): Promise<ProviderAnswer> {
  const timeoutMs = req.timeoutMs ?? PROVIDER_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    const res = await fetch(req.url, {
      ...(req.init as Parameters<typeof fetch>[1]),
      redirect: 'manual',
      dispatcher: dispatcher(),
      signal: AbortSignal.any([req.signal, timeout]),
    });
    const answer: ProviderAnswer = { status: res.status, retryAfter: res.headers.get('retry-after'), text: '' };
    if (req.responseHeaders) {
      const headers: Record<string, string> = {};
      for (const name of req.responseHeaders) {
        const value = res.headers.get(name);
        if (value !== null) headers[name.toLowerCase()] = value;
      }
      answer.headers = headers;
    }
    answer.text = await res.text();
    return answer;
  } catch (err) {
    const refused = guardRefusal(err);
    if (refused) throw refused;
    const cause = req.keepCause === false ? {} : { cause: err };
    if (req.signal.aborted)
      throw new ConnectorError('upstream', `${req.label} was cancelled`, { code: 'ABORTED', ...cause });
    if (timeout.aborted)
      throw new ConnectorError('upstream', `${req.label} did not answer within ${timeoutMs} ms`, {
        code: 'TIMEOUT',
        ...cause,
      });
    const code = (err as { cause?: { code?: unknown } }).cause?.code;
    const reason = typeof code === 'string' ? code : 'NETWORK_ERROR';
    // The fetch message is generic ("fetch failed"); the cause's code (ECONNREFUSED, ...) says what happened.
    throw new ConnectorError('upstream', `${req.label} failed: could not reach the provider (${reason})`, {
      code: reason,
      ...cause,
    });
  }
}

// One provider call, the part every connector's client shares: a per-request timeout on top of the step's signal, and
// transport failures (timeout, cancellation, network) as retryable upstream ConnectorErrors that say which. Mapping the
// answer (status, body) to a result or an error stays with each connector, which knows its provider's shapes.
import { ConnectorError } from './errors.js';

/** Per request, on top of the step's own signal: a hung connection must not hold a step until its timeout. */
export const PROVIDER_TIMEOUT_MS = 30_000;

export interface ProviderAnswer {
  status: number;
  text: string;
  retryAfter: string | null;
}

export interface ProviderRequest {
  /** Names the call in error messages, e.g. `Slack chat.postMessage`; never the URL (it may hold a token). */
  label: string;
  url: string;
  init: Omit<RequestInit, 'signal'>;
  /** The step's signal. */
  signal: AbortSignal;
  timeoutMs?: number;
  /** Whether errors keep the fetch error as `cause`: false when the URL carries a secret (its messages quote it). */
  keepCause?: boolean;
}

export async function callProvider(req: ProviderRequest): Promise<ProviderAnswer> {
  const timeoutMs = req.timeoutMs ?? PROVIDER_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    const res = await fetch(req.url, { ...req.init, signal: AbortSignal.any([req.signal, timeout]) });
    return { status: res.status, retryAfter: res.headers.get('retry-after'), text: await res.text() };
  } catch (err) {
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

// The HTTP client behind `http.request`: an undici Agent whose every connection passes the SSRF guard, plus a
// bounded body reader. The guard checks the address actually connected to (resolved at connect time, on every
// redirect hop), so DNS rebinding or a redirect to an internal address cannot get around it.
import dns from 'node:dns';
import net from 'node:net';
import ipaddr from 'ipaddr.js';
import { Agent, buildConnector, interceptors, type Dispatcher } from 'undici';
import { ConnectorError, errorFromHttpStatus } from '../sdk/index.js';

export interface HttpGuardOptions {
  /** Allow every address (CONFLUO_HTTP_ALLOW_PRIVATE=1): for trusted single-tenant installs. */
  allowPrivate?: boolean;
  /** Hostnames, IPs or CIDRs that may be reached even when private (CONFLUO_HTTP_ALLOWLIST, comma-separated). */
  allowlist?: string[];
}

/** The guard options from the environment; read on every connection so a changed env applies without restart. */
export function httpOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): HttpGuardOptions {
  return {
    allowPrivate: env.CONFLUO_HTTP_ALLOW_PRIVATE === '1' || env.CONFLUO_HTTP_ALLOW_PRIVATE === 'true',
    allowlist: (env.CONFLUO_HTTP_ALLOWLIST ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  };
}

// Everything that is not the public internet. IPv4-mapped IPv6 addresses are unwrapped first (ipaddr.process).
const BLOCKED_RANGES = new Set([
  'unspecified',
  'broadcast',
  'multicast',
  'linkLocal',
  'loopback',
  'carrierGradeNat',
  'private',
  'reserved',
  'benchmarking',
  'uniqueLocal',
]);

const stripBrackets = (host: string) => host.replace(/^\[(.*)\]$/, '$1').toLowerCase();

function inAllowlist(hostname: string, address: ipaddr.IPv4 | ipaddr.IPv6 | undefined, allowlist: string[]): boolean {
  return allowlist.some((entry) => {
    const e = entry.toLowerCase();
    if (ipaddr.isValidCIDR(e)) {
      const [range, bits] = ipaddr.parseCIDR(e);
      return address !== undefined && address.kind() === range.kind() && address.match(range, bits);
    }
    if (ipaddr.isValid(e)) return address !== undefined && ipaddr.process(e).toString() === address.toString();
    return stripBrackets(e) === hostname;
  });
}

/** Whether `hostname`, connecting to `ip`, passes the guard. */
export function isAddressAllowed(hostname: string, ip: string, opts: HttpGuardOptions): boolean {
  if (opts.allowPrivate) return true;
  let address: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    address = ipaddr.process(stripBrackets(ip).replace(/%.*$/, ''));
  } catch {
    return false;
  }
  if (inAllowlist(stripBrackets(hostname), address, opts.allowlist ?? [])) return true;
  return !BLOCKED_RANGES.has(address.range());
}

export function addressNotAllowed(hostname: string, ip: string): ConnectorError {
  const where = stripBrackets(hostname) === stripBrackets(ip) ? ip : `${hostname} (${ip})`;
  return new ConnectorError(
    'config',
    `refusing to connect to ${where}: private, loopback and link-local addresses are blocked; ` +
      'add the host to CONFLUO_HTTP_ALLOWLIST or set CONFLUO_HTTP_ALLOW_PRIVATE=1',
    { code: 'ADDRESS_NOT_ALLOWED', retryable: false, details: { host: hostname, address: ip } },
  );
}

/** A dispatcher whose connections are guarded; follows up to 5 redirects (each hop guarded again). */
export function createGuardedDispatcher(getOptions: () => HttpGuardOptions): Dispatcher {
  const lookup: net.LookupFunction = (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const opts = getOptions();
      const bad = addresses.find((a) => !isAddressAllowed(hostname, a.address, opts));
      if (bad) return callback(addressNotAllowed(hostname, bad.address) as unknown as NodeJS.ErrnoException, '', 0);
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
      callback(null, first.address, first.family);
    });
  };
  const base = buildConnector({ lookup });
  const connect: buildConnector.connector = (options, callback) => {
    const host = stripBrackets(options.hostname);
    // Node skips `lookup` for IP literals, so they are checked here.
    if (net.isIP(host) && !isAddressAllowed(host, host, getOptions()))
      return callback(addressNotAllowed(host, host), null);
    base(options, callback);
  };
  return new Agent({ connect }).compose(interceptors.redirect({ maxRedirections: 5 }));
}

export interface HttpRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /** Largest response body read, in bytes. */
  maxBodyBytes: number;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Sends one request. Non-2xx answers are returned, not thrown (the caller decides); network failures, timeouts and
 * guard refusals become ConnectorErrors.
 */
export async function sendRequest(
  dispatcher: Dispatcher,
  req: HttpRequest,
  signal: AbortSignal,
): Promise<HttpResponse> {
  const timeout = AbortSignal.timeout(req.timeoutMs);
  const both = AbortSignal.any([signal, timeout]);
  const target = `${req.method} ${req.url.origin}${req.url.pathname}`;
  try {
    const res = await dispatcher.request({
      origin: req.url.origin,
      path: `${req.url.pathname}${req.url.search}`,
      method: req.method as Dispatcher.HttpMethod,
      headers: req.headers,
      body: req.body ?? null,
      signal: both,
    });
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers))
      if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
    const body = await readBody(res.body, req.maxBodyBytes, target);
    return { status: res.statusCode, headers, body };
  } catch (err) {
    const guard = findConnectorError(err);
    if (guard) throw guard;
    if (timeout.aborted)
      throw new ConnectorError('upstream', `${target} timed out after ${req.timeoutMs} ms`, {
        code: 'TIMEOUT',
        cause: err,
      });
    if (signal.aborted)
      throw new ConnectorError('upstream', `${target} was cancelled`, { code: 'ABORTED', cause: err });
    const e = err as NodeJS.ErrnoException;
    throw new ConnectorError('upstream', `${target} failed: ${e.message}`, {
      code: e.code ?? 'NETWORK_ERROR',
      cause: err,
    });
  }
}

/** undici may wrap the connector's error; find ours in the cause chain. */
function findConnectorError(err: unknown): ConnectorError | undefined {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++)
    if (e instanceof ConnectorError) return e;
  return undefined;
}

async function readBody(body: Dispatcher.ResponseData['body'], max: number, target: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > max) {
      body.destroy();
      throw new ConnectorError('upstream', `${target}: response body exceeds ${max} bytes`, {
        code: 'RESPONSE_TOO_LARGE',
        retryable: false,
      });
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The error for a non-2xx response, with a body excerpt. */
export function responseError(req: Pick<HttpRequest, 'method' | 'url'>, res: HttpResponse): ConnectorError {
  return errorFromHttpStatus(res.status, {
    retryAfter: res.headers['retry-after'] ?? null,
    message: `${req.method} ${req.url.origin}${req.url.pathname} answered HTTP ${res.status}`,
    body: res.body,
  });
}

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

// The special-purpose ranges of IANA's IPv4 and IPv6 registries that are not the public internet: private, loopback,
// link-local, shared (CGN), documentation, benchmarking, reserved, multicast, broadcast, and the IPv6 transition forms
// that carry an IPv4 address inside (NAT64, 6to4, Teredo, IPv4-compatible), so an internal IPv4 address cannot be
// reached in IPv6 clothing. IPv4-mapped addresses (::ffff:a.b.c.d) are unwrapped first and judged as IPv4. IPv6 is
// public only inside 2000::/3 (global unicast); everything outside it (::/96, 64:ff9b::/96, fc00::/7, fe80::/10,
// fec0::/10, ff00::/8, ...) is refused by that rule.
const BLOCKED_V4 = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.31.196.0/24',
  '192.52.193.0/24',
  '192.88.99.0/24',
  '192.168.0.0/16',
  '192.175.48.0/24',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4',
  '240.0.0.0/4',
].map((c) => ipaddr.parseCIDR(c));
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');
const BLOCKED_V6 = [
  '2001::/23', // IETF protocol assignments: Teredo (2001::/32), ORCHID, benchmarking (2001:2::/48), ...
  '2001:db8::/32', // documentation
  '2002::/16', // 6to4
  '3fff::/20', // documentation
].map((c) => ipaddr.parseCIDR(c));

function isPublic(address: ipaddr.IPv4 | ipaddr.IPv6): boolean {
  if (address.kind() === 'ipv4') return !BLOCKED_V4.some((range) => address.match(range));
  return address.match(GLOBAL_UNICAST_V6) && !BLOCKED_V6.some((range) => address.match(range));
}

const stripBrackets = (host: string) => host.replace(/^\[(.*)\]$/, '$1').toLowerCase();

/** One allowlist entry: a hostname, an IP or a CIDR, with an optional port (`host:8080`, `[::1]:8080`). */
interface AllowEntry {
  host?: string;
  range?: [ipaddr.IPv4 | ipaddr.IPv6, number];
  /** Absent: every port of that host. */
  port?: number;
}

const PORT_RE = /^(?:[1-9]\d{0,3}|[1-5]\d{4}|6[0-4]\d{3}|65[0-4]\d{2}|655[0-2]\d|6553[0-5])$/;
const HOSTNAME_RE =
  /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/;

/** Parses an allowlist entry; null when it is none of the accepted forms (see `allowlistProblems`). */
export function parseAllowEntry(entry: string): AllowEntry | null {
  const e = entry.trim().toLowerCase();
  const asRange = (addr: string): AllowEntry['range'] | null => {
    if (ipaddr.isValidCIDR(addr)) {
      const [range, bits] = ipaddr.parseCIDR(addr);
      // ::ffff:10.0.0.0/104 is 10.0.0.0/8: addresses are unwrapped before they are matched.
      if (range.kind() === 'ipv6' && (range as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96)
        return [(range as ipaddr.IPv6).toIPv4Address(), bits - 96];
      return [range, bits];
    }
    if (!ipaddr.isValid(addr)) return null;
    const address = ipaddr.process(addr);
    return [address, address.kind() === 'ipv4' ? 32 : 128];
  };
  // [v6] or [v6]:port
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(e);
  if (bracketed) {
    const range = asRange(bracketed[1]!);
    if (!range || (bracketed[2] !== undefined && !PORT_RE.test(bracketed[2]))) return null;
    return { range, ...(bracketed[2] !== undefined && { port: Number(bracketed[2]) }) };
  }
  // A bare IP or CIDR (a bare IPv6 address takes no port: write [::1]:8080).
  const range = asRange(e);
  if (range) return { range };
  const colon = e.lastIndexOf(':');
  const [host, port] = colon >= 0 ? [e.slice(0, colon), e.slice(colon + 1)] : [e, undefined];
  if (port !== undefined && !PORT_RE.test(port)) return null;
  const hostRange = asRange(host);
  if (hostRange) return { range: hostRange, ...(port !== undefined && { port: Number(port) }) };
  if (!HOSTNAME_RE.test(host)) return null;
  return { host: host.replace(/\.$/, ''), ...(port !== undefined && { port: Number(port) }) };
}

/** The entries of an allowlist that mean nothing (so the operator hears of them instead of wondering). */
export function allowlistProblems(allowlist: string[]): string[] {
  return allowlist.filter((entry) => parseAllowEntry(entry) === null);
}

function inAllowlist(
  hostname: string,
  address: ipaddr.IPv4 | ipaddr.IPv6,
  port: number | undefined,
  allowlist: string[],
): boolean {
  return allowlist.some((raw) => {
    const entry = parseAllowEntry(raw);
    if (!entry) return false;
    if (entry.port !== undefined && entry.port !== port) return false;
    if (entry.range) return address.kind() === entry.range[0].kind() && address.match(entry.range);
    return entry.host === hostname.replace(/\.$/, '');
  });
}

/**
 * Whether `hostname`, connecting to `ip` (on `port`, when known), passes the guard: a public address, or one an
 * allowlist entry names (an entry with a port allows that port only).
 */
export function isAddressAllowed(hostname: string, ip: string, opts: HttpGuardOptions, port?: number): boolean {
  if (opts.allowPrivate) return true;
  let address: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    address = ipaddr.process(stripBrackets(ip).replace(/%.*$/, ''));
  } catch {
    return false;
  }
  if (inAllowlist(stripBrackets(hostname), address, port, opts.allowlist ?? [])) return true;
  return isPublic(address);
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

/**
 * A dispatcher whose connections are guarded; follows up to 5 redirects. Every hop opens its own connection through
 * `connect`, so each one is checked again: its address, and its port against the allowlist's ports.
 */
export function createGuardedDispatcher(getOptions: () => HttpGuardOptions): Dispatcher {
  const lookupFor =
    (port: number): net.LookupFunction =>
    (hostname, options, callback) => {
      dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
        if (err) return callback(err, '', 0);
        const opts = getOptions();
        const bad = addresses.find((a) => !isAddressAllowed(hostname, a.address, opts, port));
        if (bad) return callback(addressNotAllowed(hostname, bad.address) as unknown as NodeJS.ErrnoException, '', 0);
        if (options.all) return callback(null, addresses);
        const first = addresses[0];
        if (!first)
          return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
        callback(null, first.address, first.family);
      });
    };
  // One connector per port (its lookup knows the port), so TLS sessions are still reused across requests.
  const connectors = new Map<number, buildConnector.connector>();
  const connect: buildConnector.connector = (options, callback) => {
    const host = stripBrackets(options.hostname);
    const port = Number(options.port) || (options.protocol === 'https:' ? 443 : 80);
    // Node skips `lookup` for IP literals, so they are checked here.
    if (net.isIP(host) && !isAddressAllowed(host, host, getOptions(), port))
      return callback(addressNotAllowed(host, host), null);
    let base = connectors.get(port);
    if (!base) connectors.set(port, (base = buildConnector({ lookup: lookupFor(port) })));
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

// The outbound guard every connector call goes through (http.request and every provider client): an undici Agent
// whose every connection is checked at connect time against the address actually connected to (so DNS rebinding
// cannot get around it), on every redirect hop; and the rule for provider base URLs set in account settings
// (`baseUrlProblem`). Options come from the environment, read on every connection so a changed env applies.
import dns from 'node:dns';
import net from 'node:net';
import ipaddr from 'ipaddr.js';
import { Agent, buildConnector, interceptors, type Dispatcher } from 'undici';
import { ConnectorError } from './errors.js';

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
 * A dispatcher whose connections are guarded; follows up to `maxRedirections` redirects (default 5; 0: none, a 3xx is
 * the answer). Every hop opens its own connection through `connect`, so each one is checked again: its address, and
 * its port against the allowlist's ports.
 */
export function createGuardedDispatcher(
  getOptions: () => HttpGuardOptions,
  { maxRedirections = 5 }: { maxRedirections?: number } = {},
): Dispatcher {
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
  const agent = new Agent({ connect });
  return maxRedirections > 0 ? agent.compose(interceptors.redirect({ maxRedirections })) : agent;
}

/** A provider's public API hosts, as a connector declares them (see `defineProvider` in http.ts). */
export interface ProviderHosts {
  /** Names the provider in messages, e.g. `Telegram Bot API`. */
  name: string;
  /**
   * Hostnames its public API is served on over https, e.g. `api.telegram.org`. An entry `*.<domain>` stands for any one
   * DNS label in front of the domain (Pipedrive's `<company>.pipedrive.com`), never for the domain itself or deeper names.
   */
  hosts: readonly string[];
}

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Whether `host` (lower-case, as URL parsing leaves it) is one of `hosts`, a `*.` entry matching one label. */
function isProviderHost(host: string, hosts: readonly string[]): boolean {
  return hosts.some((h) => {
    if (!h.startsWith('*.')) return h === host;
    const domain = h.slice(1); // ".pipedrive.com"
    return host.endsWith(domain) && LABEL.test(host.slice(0, -domain.length));
  });
}

/** Whether an allowlist entry names this URL host (a hostname entry, or an IP/CIDR entry for an IP literal) and port. */
function hostPermitted(host: string, port: number, allowlist: string[]): boolean {
  const address = ipaddr.isValid(host) ? ipaddr.process(host) : undefined;
  return allowlist.some((raw) => {
    const entry = parseAllowEntry(raw);
    if (!entry || (entry.port !== undefined && entry.port !== port)) return false;
    if (entry.range)
      return address !== undefined && address.kind() === entry.range[0].kind() && address.match(entry.range);
    return entry.host === host;
  });
}

/**
 * Why `url` may not be `provider`'s base URL (an account setting such as `apiBaseUrl`), or undefined when it may:
 * https on one of the provider's public hosts (default port), or an http(s) URL whose host (and port) the operator
 * listed in CONFLUO_HTTP_ALLOWLIST (a proxy, a self-hosted Bot API server, a test fake). CONFLUO_HTTP_ALLOW_PRIVATE
 * does not widen this: it is about addresses, and a public host that is not the provider's would receive the
 * account's token. The message says what is allowed; it never quotes the URL (it may carry a secret).
 */
export function baseUrlProblem(url: string, provider: ProviderHosts, opts: HttpGuardOptions): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'is not a URL';
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return 'must be an http(s) URL';
  if (u.username || u.password) return 'must not carry a user name or password';
  if (u.search || u.hash) return 'must not have a query string or fragment';
  const host = stripBrackets(u.hostname).replace(/\.$/, '');
  const port = u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
  if (u.protocol === 'https:' && port === 443 && isProviderHost(host.toLowerCase(), provider.hosts)) return undefined;
  if (hostPermitted(host, port, opts.allowlist ?? [])) return undefined;
  const hosts = provider.hosts.map((h) => `https://${h}`).join(' or ');
  return `must be ${hosts} (the ${provider.name}); another host needs an entry in CONFLUO_HTTP_ALLOWLIST`;
}

/** The guard's refusal (a config ConnectorError, not retryable), found in the cause chain undici wraps it in. */
export function guardRefusal(err: unknown): ConnectorError | undefined {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++)
    if (e instanceof ConnectorError) return e;
  return undefined;
}

/**
 * The address a connector's non-HTTP client (SMTP, IMAP) connects to: `host` resolved and every address checked as an
 * HTTP connection's would be (on `port`), then the first. Connect to the address returned, with `servername` (the
 * host's name; absent for an IP literal) as the TLS server name, so no second lookup can answer differently. The guard's refusal is a config error; a name that does not
 * resolve is a retryable upstream error.
 */
export async function guardedAddress(
  host: string,
  port: number,
  opts: HttpGuardOptions = httpOptionsFromEnv(),
): Promise<{ address: string; servername?: string }> {
  const name = stripBrackets(host);
  if (net.isIP(name)) {
    if (!isAddressAllowed(name, name, opts, port)) throw addressNotAllowed(name, name);
    return { address: name }; // no TLS server name for an IP literal
  }
  let addresses: dns.LookupAddress[];
  try {
    addresses = await dns.promises.lookup(name, { all: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'ENOTFOUND';
    throw new ConnectorError('upstream', `${name} could not be resolved (${code})`, { code, cause: err });
  }
  const bad = addresses.find((a) => !isAddressAllowed(name, a.address, opts, port));
  if (bad) throw addressNotAllowed(name, bad.address);
  const first = addresses[0];
  if (!first) throw new ConnectorError('upstream', `${name} has no address`, { code: 'ENOTFOUND' });
  return { address: first.address, servername: name };
}

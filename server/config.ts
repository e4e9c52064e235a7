// Every environment variable Confluo reads itself (README's configuration table mirrors this file; the Temporal
// connection variables are read by @temporalio/envconfig in worker/temporal-config.ts).
import { resolve } from 'node:path';
import { allowlistProblems, httpOptionsFromEnv } from '../connectors/sdk/guard.js';
import { parsePluginSpecs } from '../connectors/sdk/plugins.js';
import { parseSecretKey, SecretKeyError } from '../prisma/secrets.js';
import { DEFAULT_TEMPORAL_DEADLINE_MS } from '../worker/temporal-deadline.js';
import { DEFAULT_INBOUND_BACKLOG_MAX } from './services/inbound.js';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl?: string;
  /** Set: connect to that Temporal; unset: start a dev server (all-in-one only). */
  temporalAddress?: string;
  /**
   * CONFLUO_TEMPORAL_DEADLINE_MS: how long a request waits for each Temporal operation (a start with its dedupe check,
   * a read) before it answers 503 temporal_unavailable (worker/temporal-deadline.ts says why 2 s).
   */
  temporalDeadlineMs: number;
  publicUrl: string;
  apiKey?: string;
  /** CONFLUO_SECRET_KEY, decoded; unset: generated under dataDir when embedded; otherwise none (a warning, and channel accounts answer 503; prisma/secrets.ts). */
  secretKey?: Buffer;
  bodyLimit: number;
  logLevel: string;
  migrate: boolean;
  /** CONFLUO_PLUGINS: connector plugin packages or folders, loaded at start-up (connectors/sdk/plugins.ts). */
  plugins: string[];
  /**
   * CONFLUO_CONTACT_EVENTS=0 turns off the server's contact-event relay (worker/contact-event-relay.ts), e.g. for a
   * second server beside one that relays, or tests sharing a database; default on (two relays are safe, one is enough).
   */
  contactEvents: boolean;
  /**
   * CONFLUO_INBOUND_BACKLOG_MAX: acknowledged events waiting for Temporal (the inbound outbox) past which webhooks and
   * deliveries answer 503 inbound_backlog_full with Retry-After (server/services/inbound.ts says why 50,000).
   */
  inboundBacklogMax: number;
  /**
   * CONFLUO_INBOUND_RELAY=0: this server acknowledges into the inbound outbox but does not relay it to Temporal (another
   * server does); default on (several relays are safe: they take disjoint rows, and a workflow id starts once).
   */
  inboundRelay: boolean;
  /**
   * CONFLUO_INBOUND_RELAY_CONCURRENCY: starts the relay has under way at once (default 32). Lower keeps more CPU for
   * acknowledgements during a burst on a small machine (Temporal's share of the work is then done after it).
   */
  inboundRelayConcurrency: number;
}

export class ConfigError extends Error {}

function int(env: NodeJS.ProcessEnv, name: string, dflt: number, min = 1): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new ConfigError(`${name} must be an integer ≥ ${min}, got "${raw}"`);
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = int(env, 'PORT', 3000, 0);
  const host = env.HOST || '0.0.0.0';
  const publicUrl = (env.CONFLUO_PUBLIC_URL || `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`).replace(
    /\/+$/,
    '',
  );
  try {
    new URL(publicUrl);
  } catch {
    throw new ConfigError(`CONFLUO_PUBLIC_URL must be an absolute URL, got "${publicUrl}"`);
  }
  // Read again on every connection (so a changed env applies), but checked once here: an entry that means nothing
  // would otherwise be silently ignored.
  const badEntries = allowlistProblems(httpOptionsFromEnv(env).allowlist ?? []);
  if (badEntries.length > 0)
    throw new ConfigError(
      `CONFLUO_HTTP_ALLOWLIST: ${badEntries.map((e) => JSON.stringify(e)).join(', ')} ` +
        'is not a host, IP or CIDR with an optional port (e.g. db.internal, db.internal:8080, 10.0.0.0/8, [fd00::1]:80)',
    );
  return {
    port,
    host,
    dataDir: resolve(env.DATA_DIR || '.confluo'),
    databaseUrl: env.DATABASE_URL || undefined,
    temporalAddress: env.TEMPORAL_ADDRESS || undefined,
    temporalDeadlineMs: int(env, 'CONFLUO_TEMPORAL_DEADLINE_MS', DEFAULT_TEMPORAL_DEADLINE_MS, 100),
    publicUrl,
    apiKey: env.CONFLUO_API_KEY || undefined,
    secretKey: env.CONFLUO_SECRET_KEY ? secretKey(env.CONFLUO_SECRET_KEY) : undefined,
    bodyLimit: int(env, 'CONFLUO_BODY_LIMIT', 1024 * 1024),
    logLevel: env.LOG_LEVEL || 'info',
    migrate: env.CONFLUO_MIGRATE !== '0',
    contactEvents: env.CONFLUO_CONTACT_EVENTS !== '0',
    inboundBacklogMax: int(env, 'CONFLUO_INBOUND_BACKLOG_MAX', DEFAULT_INBOUND_BACKLOG_MAX),
    inboundRelay: env.CONFLUO_INBOUND_RELAY !== '0',
    inboundRelayConcurrency: int(env, 'CONFLUO_INBOUND_RELAY_CONCURRENCY', 32),
    plugins: parsePluginSpecs(env.CONFLUO_PLUGINS),
  };
}

function secretKey(raw: string): Buffer {
  try {
    return parseSecretKey(raw);
  } catch (err) {
    throw err instanceof SecretKeyError ? new ConfigError(err.message) : err;
  }
}

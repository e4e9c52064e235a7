// Temporal connection settings from the SDK's standard environment variables (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
// TEMPORAL_API_KEY, TEMPORAL_TLS_*, TEMPORAL_PROFILE / config file), read by @temporalio/envconfig so Confluo
// accepts exactly what every other Temporal tool does. Used by the worker and by the server's client.
import type { Connection, ConnectionOptions } from '@temporalio/client';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { DEFAULT_TASK_QUEUE, SEARCH_ATTRIBUTES } from './contract.js';

export interface TemporalSettings {
  address: string;
  namespace: string;
  taskQueue: string;
  /** Connection options for both `Connection.connect` and `NativeConnection.connect`. */
  connectionOptions: NativeConnectionOptions & { address: string };
}

/** Settings for an explicit address (embedded dev server, tests), or from the environment when omitted. */
export function temporalSettings(env: NodeJS.ProcessEnv = process.env, address?: string): TemporalSettings {
  const overrideEnvVars = Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined),
  );
  const { connectionOptions, namespace } = loadClientConnectConfig({
    overrideEnvVars,
    disableFile: !env.TEMPORAL_CONFIG_FILE && !env.TEMPORAL_PROFILE,
  });
  const addr = address ?? connectionOptions.address ?? 'localhost:7233';
  return {
    address: addr,
    namespace: namespace ?? 'default',
    taskQueue: env.TEMPORAL_TASK_QUEUE ?? DEFAULT_TASK_QUEUE,
    connectionOptions: { ...connectionOptions, address: addr },
  };
}

/**
 * gRPC's reconnect backoff for the server's client connection. grpc-js waits 1 s after a failed connection attempt,
 * then ×1.6 each time up to 120 s, and while it waits every call fails at once: after a 40 s outage a client with the
 * defaults got through 3–18 s after one with this backoff (after a long outage it could be minutes). Attempting every
 * 250 ms–1 s instead costs a refused TCP connect a second while Temporal is down, and finds it within a second.
 */
export const RECONNECT_CHANNEL_ARGS = {
  'grpc.initial_reconnect_backoff_ms': 250,
  'grpc.max_reconnect_backoff_ms': 1_000,
} as const;

/** Options for the server's `Connection.connect` (the request path): `options` with the reconnect backoff above. */
export function clientConnectionOptions<T extends ConnectionOptions>(options: T): T {
  return { ...options, channelArgs: { ...options.channelArgs, ...RECONNECT_CHANNEL_ARGS } };
}

/**
 * Registers Confluo's custom search attributes on a namespace that lacks some: a cluster's, or a dev server's kept
 * from an earlier version (its flags register them only in a new database).
 * Temporal Cloud does not allow this through the operator API: there, add them in the Cloud UI or with tcld.
 */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  const { temporal } = (await import('@temporalio/proto')).default;
  const Type = temporal.api.enums.v1.IndexedValueType;
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = SEARCH_ATTRIBUTES.filter((k) => !(k.name in (existing.customAttributes ?? {})));
  if (missing.length === 0) return;
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(
      missing.map((k) => [k.name, k.type === 'INT' ? Type.INDEXED_VALUE_TYPE_INT : Type.INDEXED_VALUE_TYPE_KEYWORD]),
    ),
  });
}

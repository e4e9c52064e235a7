// Temporal connection settings from the SDK's standard environment variables (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
// TEMPORAL_API_KEY, TEMPORAL_TLS_*, TEMPORAL_PROFILE / config file), read by @temporalio/envconfig so Confluo
// accepts exactly what every other Temporal tool does. Used by the worker and by the server's client.
import { InterceptingCall, type Interceptor, type NextCall } from '@grpc/grpc-js';
import {
  defaultGrpcRetryOptions,
  makeGrpcRetryInterceptor,
  type Connection,
  type ConnectionOptions,
} from '@temporalio/client';
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

/**
 * The SDK's gRPC retry interceptor sleeps between attempts on a timer that a call's deadline does not cut short, and
 * its next attempt throws "Channel has been shut down" from that timer when the connection was closed meanwhile (a
 * server shutting down during a Temporal outage): an uncaught exception that takes the process down. Placed behind
 * the retry interceptor, this one makes such an attempt a call that never answers: its caller has its answer already
 * (the deadline's, temporal-deadline.ts), and any status given back here would reach the retry interceptor's
 * final-failure path, which throws from the timer as well when no attempt ever got a message.
 */
export const closedChannelGuard: Interceptor = (options, nextCall) => {
  try {
    return new InterceptingCall(nextCall(options));
  } catch (err) {
    if (!(err instanceof Error) || !/shut down/i.test(err.message)) throw err;
    return new InterceptingCall(silentCall());
  }
};

/** A call on a closed connection: sends nothing and never answers. */
function silentCall(): ReturnType<NextCall> {
  const none = () => undefined;
  return {
    start: none,
    sendMessage: none,
    sendMessageWithContext: none,
    startRead: none,
    halfClose: none,
    cancelWithStatus: none,
    getPeer: () => '',
    getAuthContext: () => null,
  };
}

/**
 * Options for the server's `Connection.connect` (the request path): `options` with the reconnect backoff above, and
 * the SDK's default retries followed by the closed-channel guard.
 */
export function clientConnectionOptions<T extends ConnectionOptions>(options: T): T {
  return {
    ...options,
    channelArgs: { ...options.channelArgs, ...RECONNECT_CHANNEL_ARGS },
    interceptors: options.interceptors ?? [makeGrpcRetryInterceptor(defaultGrpcRetryOptions()), closedChannelGuard],
  };
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

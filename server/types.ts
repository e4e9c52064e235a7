// What the server is built from (AppDeps) and the decorators every route can rely on.
import type { Client } from '@temporalio/client';
import type { FastifyBaseLogger } from 'fastify';
import type { LoggerOptions } from 'pino';
import type { Registry as ConnectorRegistry } from '../connectors/sdk/index.js';
import type { PrismaClient } from '../prisma/client.js';
import type { WorkflowClient } from '../worker/client.js';
import type { ServerMetrics } from './metrics.js';
import type { Inbound } from './services/inbound.js';

/** The connector registry (manifests for the editor, action input schemas for flow validation). */
export type Registry = Pick<
  ConnectorRegistry,
  'manifests' | 'actionInputs' | 'channelNames' | 'get' | 'pollInputs' | 'getPollSource'
>;

/** The raw client: the read side of runs (visibility, describe, history, queries). Starts go through `workflows`. */
export interface TemporalDeps {
  client: Client;
  taskQueue: string;
  namespace: string;
  /** Deadline of each read (CONFLUO_TEMPORAL_DEADLINE_MS); default DEFAULT_TEMPORAL_DEADLINE_MS. */
  deadlineMs?: number;
}

export interface AppDeps {
  prisma: PrismaClient;
  temporal: TemporalDeps;
  /** Every workflow start (worker/client.ts: typed, with the dedupe policies); built on `temporal`'s client. */
  workflows: WorkflowClient;
  registry: Registry;
  /** A pino logger (the launcher's), pino options, or false for no logs (tests). Default: pino at info level. */
  logger?: FastifyBaseLogger | LoggerOptions | false;
  /** Base URL the outside world reaches this server at, without a trailing slash (webhook URLs are built on it). */
  publicUrl: string;
  /** Request body limit in bytes. Default 1 MiB. */
  bodyLimit?: number;
  /** Folder of the editor's static build, served at `/` when it exists. */
  editorDir?: string;
  /** The 32-byte key credentials are encrypted with; absent: the channel-account routes answer 503. */
  secretKey?: Buffer;
  /** Country of national phone numbers typed into the contacts search. Default: CONFLUO_DEFAULT_COUNTRY. */
  defaultCountry?: string;
  /**
   * The contact-event relay (worker/contact-event-relay.ts) running while the server listens: its poll and, for
   * tests, the workspaces it relays; false: none (a test app without it). Default: on, every workspace.
   */
  contactEvents?: { pollMs?: number; workspaces?: string[] } | false;
  /**
   * The inbound outbox (server/services/inbound.ts): the backlog bound (CONFLUO_INBOUND_BACKLOG_MAX), the relay's
   * poll and its concurrent starts (CONFLUO_INBOUND_RELAY_CONCURRENCY); `relay: false` acknowledges without relaying (a second server beside one that relays; tests of the backlog).
   * The relay starts only rows of this app's task queue. Default: relay on, DEFAULT_INBOUND_BACKLOG_MAX.
   */
  inbound?: { backlogMax?: number; pollMs?: number; relay?: boolean; concurrency?: number };
  /**
   * At start, bring every flow's Temporal Schedule in line with its latest published version (worker/schedules.ts),
   * in the background. Default true; test apps that share one database turn it off (it would move other apps' schedules
   * onto their own task queue).
   */
  reconcileSchedules?: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    prisma: PrismaClient;
    temporal: TemporalDeps;
    workflows: WorkflowClient;
    registry: Registry;
    publicUrl: string;
    /** Events acknowledged once durable in PostgreSQL, relayed to Temporal (services/inbound.ts). */
    inbound: Inbound;
    metrics: ServerMetrics;
  }
  interface FastifyRequest {
    /** Set by the auth plugin on every authenticated `/api/*` request. */
    workspaceId: string;
  }
}

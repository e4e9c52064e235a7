// The HTTP API client: Bearer key, JSON, and the uniform error body turned into a readable ApiError.
import type { FlowDefinition, StepState, ValidationIssue } from '../flow/model.js';

export interface ErrorIssue {
  path: string;
  code: string;
  message: string;
  nodeId?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: ErrorIssue[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** A readable sentence from an API error body (`{ error: { code, message, issues? } }`) or anything else. */
export function errorMessage(status: number, body: unknown): ApiError {
  const err = (body as { error?: { code?: unknown; message?: unknown; issues?: unknown } } | null)?.error;
  if (err && typeof err.message === 'string') {
    const issues = Array.isArray(err.issues) ? (err.issues as ErrorIssue[]) : [];
    // An issue that only repeats the message (a failed send's single cause) adds nothing to the sentence.
    const extra = issues.filter((i) => i.message !== err.message);
    const details = extra.slice(0, 3).map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
    const more = extra.length > 3 ? ` (and ${extra.length - 3} more)` : '';
    const text = details.length ? `${err.message}: ${details.join('; ')}${more}` : err.message;
    return new ApiError(status, typeof err.code === 'string' ? err.code : 'error', text, issues);
  }
  if (status === 0)
    return new ApiError(
      0,
      'network',
      'Cannot reach the Confluo server. Check your connection; your draft is kept in this browser.',
    );
  return new ApiError(
    status,
    'http_' + status,
    `The server answered ${status}${status >= 500 ? ' (a server error; try again)' : ''}.`,
  );
}

export interface FlowSummary {
  id: string;
  name: string;
  latestVersion: number;
  createdAt: string;
  updatedAt: string;
}
export interface FlowDetail extends FlowSummary {
  definition: FlowDefinition;
  issues: ValidationIssue[];
  webhookUrl?: string;
  versions: { version: number; createdAt: string }[];
}
export interface ActionManifest {
  id: string;
  name: string;
  description?: string;
  input: Record<string, unknown>;
  output?: Record<string, unknown>;
}
export interface TriggerManifest {
  /** `<connector>.<trigger>`; every channel connector has `<connector>.message`. */
  id: string;
  name: string;
  description?: string;
  output?: Record<string, unknown>;
}
/** The plain-data part of a messaging channel. */
export interface ChannelManifest {
  name: string;
  addressKinds: string[];
  settings?: Record<string, unknown>;
  inbound: 'webhook' | 'poll' | 'none';
  handshake: boolean;
  rateLimit?: { limit: number; intervalMs: number };
}
export interface ConnectorManifest {
  id: string;
  name: string;
  description?: string;
  actions: ActionManifest[];
  triggers?: TriggerManifest[];
  channel?: ChannelManifest;
  /** The credentials' JSON Schema (secret fields carry `writeOnly` or `x-ui: { widget: 'password' }`). */
  auth?: Record<string, unknown>;
}
/** A channel account of the workspace (credentials are never returned, only their key names). */
export interface ChannelAccount {
  id: string;
  connector: string;
  name: string;
  settings?: Record<string, unknown>;
  /** Where the provider delivers this account's webhooks (the channel gateway). */
  inboundUrl?: string;
  credentialKeys?: string[];
  /** false when the stored credentials do not decrypt with the server's secret key: they must be set again. */
  credentialsReadable?: boolean;
  createdAt?: string;
  updatedAt?: string;
}
export interface NewChannelAccount {
  connector: string;
  name: string;
  credentials: Record<string, unknown>;
  settings?: Record<string, unknown>;
}
/** `credentials` replaces the stored ones as a whole; leave it out to keep them. */
export interface ChannelAccountPatch {
  name?: string;
  credentials?: Record<string, unknown>;
  settings?: Record<string, unknown>;
}
export type RunStatus = 'running' | 'waiting' | 'completed' | 'failed' | 'cancelled';
export interface RunSummary {
  id: string;
  flowId: string;
  version: number;
  status: RunStatus;
  startedAt: string;
  closedAt?: string;
}
export interface RunDetail extends RunSummary {
  /** The definition the run interprets (for a test run: the draft as it was then). */
  definition: FlowDefinition;
  trigger: unknown;
  steps: StepState[];
  error?: { message: string; failedStep?: string };
}

/** A contact's address on a channel, e.g. `{ kind: 'email', value: 'ann@example.com' }`. */
export interface Identity {
  kind: string;
  value: string;
}
export interface Contact {
  id: string;
  name: string | null;
  attributes: unknown;
  identities: Identity[];
  createdAt: string;
  updatedAt: string;
}
/** A file, image, location… a message carries, by reference (a provider media id or URL, never the bytes). */
export interface AttachmentRef {
  type: string;
  ref: string;
  mimeType?: string;
  name?: string;
  caption?: string;
}
/** Inbound: `received`. Outbound: `pending`, `queued`, `sent`, `delivered`, `read` or `failed` (see `statusError`). */
export type MessageStatus = 'received' | 'pending' | 'queued' | 'sent' | 'delivered' | 'read' | 'failed';
export interface Message {
  id: string;
  conversationId: string;
  contactId: string;
  direction: 'in' | 'out';
  channel: string;
  accountId: string;
  providerMessageId: string | null;
  /** A `MessageStatus`; typed open because the server documents it as a string. */
  status: MessageStatus | (string & {});
  statusError: string | null;
  address: Identity;
  replyTo: Identity | null;
  text: string | null;
  content: unknown;
  attachments: AttachmentRef[];
  thread: unknown;
  sentAt: string;
  statusAt: string | null;
  source: string | null;
}
/** One per contact, across every channel. */
export interface Conversation {
  id: string;
  contact: Contact;
  lastMessageAt: string | null;
  lastMessage: Message | null;
}
export interface Page<T> {
  items: T[];
  /** Present when there is more: the next page (older items). */
  nextCursor?: string;
}
/** What a reply returns once it went out (the send's record, not the full `Message`). */
export interface SentMessage {
  id: string;
  conversationId: string;
  contactId?: string | null;
  channel: string;
  accountId: string;
  providerMessageId: string;
  status: string;
  to: Identity;
}
/** 201 `sent` once the message went out, 202 `sending` when that takes longer (it goes on durably). */
export type ReplyResult =
  { id: string; status: 'sent'; message: SentMessage } | { id: string; status: 'sending'; message?: undefined };

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export function createApi(key: string, opts: { baseUrl?: string; fetch?: Fetch } = {}) {
  const doFetch: Fetch = opts.fetch ?? ((i, init) => fetch(i, init));
  const base = opts.baseUrl ?? '';

  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await doFetch(base + path, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
    } catch {
      throw errorMessage(0, null);
    }
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: reported below by status
    }
    if (!res.ok) throw errorMessage(res.status, json);
    return json as T;
  }

  const page = (path: string, opts: { limit?: number; cursor?: string | undefined }) => {
    const q = new URLSearchParams();
    if (opts.limit !== undefined) q.set('limit', String(opts.limit));
    if (opts.cursor !== undefined) q.set('cursor', opts.cursor);
    const qs = q.toString();
    return qs ? `${path}?${qs}` : path;
  };
  const conversation = (id: string) => `/api/conversations/${encodeURIComponent(id)}`;
  const account = (id: string) => `/api/channel-accounts/${encodeURIComponent(id)}`;

  return {
    listFlows: () => call<{ items: FlowSummary[] }>('GET', '/api/flows?limit=100'),
    getFlow: (id: string) => call<FlowDetail>('GET', `/api/flows/${encodeURIComponent(id)}`),
    createFlow: (name: string) => call<FlowDetail>('POST', '/api/flows', { name }),
    updateFlow: (id: string, patch: { name?: string; definition?: FlowDefinition }) =>
      call<FlowDetail>('PUT', `/api/flows/${encodeURIComponent(id)}`, patch),
    deleteFlow: (id: string) => call<null>('DELETE', `/api/flows/${encodeURIComponent(id)}`),
    validate: (definition: FlowDefinition) =>
      call<{ valid: boolean; issues: ValidationIssue[] }>('POST', '/api/flows/validate', { definition }),
    publish: (id: string) =>
      call<{ version: number; webhookUrl: string }>('POST', `/api/flows/${encodeURIComponent(id)}/publish`),
    getVersion: (id: string, version: number) =>
      call<{ flowId: string; version: number; definition: FlowDefinition; createdAt: string }>(
        'GET',
        `/api/flows/${encodeURIComponent(id)}/versions/${version}`,
      ),
    testRun: (id: string, trigger: unknown) =>
      call<{ runId: string }>('POST', `/api/flows/${encodeURIComponent(id)}/test`, { trigger }),
    listRuns: (flowId: string, status?: string) =>
      call<{ items: RunSummary[] }>(
        'GET',
        `/api/runs?flowId=${encodeURIComponent(flowId)}${status ? `&status=${encodeURIComponent(status)}` : ''}`,
      ),
    getRun: (id: string) => call<RunDetail>('GET', `/api/runs/${encodeURIComponent(id)}`),
    connectors: () => call<ConnectorManifest[]>('GET', '/api/connectors'),
    /** Every channel account of the workspace (all pages). */
    async channelAccounts(): Promise<ChannelAccount[]> {
      const all: ChannelAccount[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 20; page++) {
        const r = await call<{ items: ChannelAccount[]; nextCursor?: string }>(
          'GET',
          `/api/channel-accounts?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        all.push(...r.items);
        if (!r.nextCursor) break;
        cursor = r.nextCursor;
      }
      return all;
    },
    getChannelAccount: (id: string) => call<ChannelAccount>('GET', account(id)),
    /** 400 with issues under `/body/credentials/…` and `/body/settings/…`; 422/502 `registration_failed` when the provider refused. */
    createChannelAccount: (body: NewChannelAccount) => call<ChannelAccount>('POST', '/api/channel-accounts', body),
    updateChannelAccount: (id: string, patch: ChannelAccountPatch) => call<ChannelAccount>('PATCH', account(id), patch),
    deleteChannelAccount: (id: string) => call<null>('DELETE', account(id)),
    /** The inbox, the most recently active conversation first. */
    listConversations: (opts: { limit?: number; cursor?: string | undefined } = {}) =>
      call<Page<Conversation>>('GET', page('/api/conversations', opts)),
    getConversation: (id: string) => call<Conversation>('GET', conversation(id)),
    /** A conversation's messages, newest first; `cursor` pages back to older ones. */
    listMessages: (id: string, opts: { limit?: number; cursor?: string | undefined } = {}) =>
      call<Page<Message>>('GET', page(`${conversation(id)}/messages`, opts)),
    /** An agent's reply, on the channel the contact last wrote from. 422 `send_failed` when it cannot go (opted out, never wrote). */
    reply: (id: string, text: string) => call<ReplyResult>('POST', `${conversation(id)}/messages`, { text }),
  };
}

export type Api = ReturnType<typeof createApi>;

// The HTTP API client: Bearer key, JSON, and the uniform error body turned into a readable ApiError.
import type { FlowDefinition } from '../flow/model.js';
import type {
  AttributeDefinition,
  AttributePatch,
  ContactSettings,
  ContactSettingsPatch,
  NewAttribute,
  ChannelAccount,
  ChannelAccountList,
  ChannelAccountPatch,
  ConnectorManifest,
  Contact,
  ContactList,
  ContactNote,
  ContactPatch,
  CrmLinkStatus,
  Duplicate,
  ContactMerge,
  MergePreview,
  MergeResult,
  UndoResult,
  Conversation,
  ErrorIssue,
  FlowDetail,
  FlowList,
  FlowSchedule,
  FlowVersionBody,
  Message,
  NewChannelAccount,
  Published,
  ReplyResult,
  RunDetail,
  RunList,
  StepTestBody,
  StepTestResult,
  Timeline,
  ValidateResult,
  WorkspaceSettings,
  WorkspaceSettingsPatch,
} from './types.js';
import type { TemplateFlow, TemplateList } from '../../../server/schemas/templates.js';

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

/** A page of a cursor-paged list (`/api/conversations`, `/api/conversations/:id/messages`). */
export interface Page<T> {
  items: T[];
  /** Present when there is more: the next page (older items). */
  nextCursor?: string;
}

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
    listFlows: () => call<FlowList>('GET', '/api/flows?limit=100'),
    getFlow: (id: string) => call<FlowDetail>('GET', `/api/flows/${encodeURIComponent(id)}`),
    /** A new draft; `definition` (e.g. an imported flow file's) is checked by the server: a wrong shape is a 400. */
    createFlow: (name: string, definition?: unknown) =>
      call<FlowDetail>('POST', '/api/flows', definition === undefined ? { name } : { name, definition }),
    /** The templates gallery (GET /api/templates). */
    templates: () => call<TemplateList>('GET', '/api/templates'),
    /** A new draft from a template with its needs filled; a missing or wrong value is a 400 naming `/body/values/<key>`. */
    useTemplate: (slug: string, values: Record<string, string>) =>
      call<TemplateFlow>('POST', `/api/templates/${encodeURIComponent(slug)}/flows`, { values }),
    updateFlow: (id: string, patch: { name?: string; definition?: FlowDefinition }) =>
      call<FlowDetail>('PUT', `/api/flows/${encodeURIComponent(id)}`, patch),
    deleteFlow: (id: string) => call<null>('DELETE', `/api/flows/${encodeURIComponent(id)}`),
    validate: (definition: FlowDefinition, flowId?: string) =>
      call<ValidateResult>(
        'POST',
        '/api/flows/validate',
        flowId === undefined ? { definition } : { definition, flowId },
      ),
    publish: (id: string) => call<Published>('POST', `/api/flows/${encodeURIComponent(id)}/publish`),
    getVersion: (id: string, version: number) =>
      call<FlowVersionBody>('GET', `/api/flows/${encodeURIComponent(id)}/versions/${version}`),
    testRun: (id: string, trigger: unknown) =>
      call<{ runId: string }>('POST', `/api/flows/${encodeURIComponent(id)}/test`, { trigger }),
    /** Runs one action step once (README.md "Testing one step"): its resolved input and its output or error. */
    testStep: (flowId: string, nodeId: string, body: StepTestBody) =>
      call<StepTestResult>(
        'POST',
        `/api/flows/${encodeURIComponent(flowId)}/steps/${encodeURIComponent(nodeId)}/test`,
        body,
      ),
    /** Pauses or resumes a published schedule flow's schedule; its state afterwards. */
    setSchedulePaused: (flowId: string, paused: boolean) =>
      call<FlowSchedule>('POST', `/api/flows/${encodeURIComponent(flowId)}/schedule/${paused ? 'pause' : 'resume'}`),
    setPollPaused: (flowId: string, paused: boolean) =>
      call<NonNullable<FlowDetail['poll']>>(
        'POST',
        `/api/flows/${encodeURIComponent(flowId)}/poll/${paused ? 'pause' : 'resume'}`,
      ),
    listRuns: (flowId: string, status?: string) =>
      call<RunList>(
        'GET',
        `/api/runs?flowId=${encodeURIComponent(flowId)}${status ? `&status=${encodeURIComponent(status)}` : ''}`,
      ),
    /** A contact's runs (those that recorded their contact: channel-message and contact-event runs), newest first. */
    contactRuns: (contactId: string, status?: string) =>
      call<RunList>(
        'GET',
        `/api/runs?contactId=${encodeURIComponent(contactId)}${status ? `&status=${encodeURIComponent(status)}` : ''}`,
      ),
    getRun: (id: string) => call<RunDetail>('GET', `/api/runs/${encodeURIComponent(id)}`),
    connectors: () => call<ConnectorManifest[]>('GET', '/api/connectors'),
    /** Every channel account of the workspace (all pages). */
    async channelAccounts(): Promise<ChannelAccount[]> {
      const all: ChannelAccount[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 20; page++) {
        const r = await call<ChannelAccountList>(
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
    /** Closes or reopens a conversation (conversation.closed / .opened flows start on it); the conversation after. */
    setConversationStatus: (id: string, status: 'open' | 'closed') =>
      call<Conversation>('POST', `${conversation(id)}/${status === 'closed' ? 'close' : 'reopen'}`),
    /** A conversation's messages, newest first; `cursor` pages back to older ones. */
    listMessages: (id: string, opts: { limit?: number; cursor?: string | undefined } = {}) =>
      call<Page<Message>>('GET', page(`${conversation(id)}/messages`, opts)),
    /** An agent's reply, on the channel the contact last wrote from. 422 `send_failed` when it cannot go (opted out, never wrote). */
    reply: (id: string, text: string) => call<ReplyResult>('POST', `${conversation(id)}/messages`, { text }),
    /**
     * Contacts newest first; `q`: a phone or email finds its owner (any written format), other text names and values;
     * `tag`: only those with this tag (with `q`: both); `attrs`: only those whose attributes have these values
     * (`attr.<key>=`).
     */
    listContacts: (
      opts: {
        q?: string;
        tag?: string;
        attrs?: Record<string, string>;
        limit?: number;
        cursor?: string | undefined;
      } = {},
    ) => {
      const path = page('/api/contacts', opts);
      const q = [
        ...(['q', 'tag'] as const).flatMap((k) =>
          opts[k]?.trim() ? [`${k}=${encodeURIComponent(opts[k].trim())}`] : [],
        ),
        ...Object.entries(opts.attrs ?? {}).flatMap(([k, v]) =>
          v.trim() ? [`attr.${encodeURIComponent(k)}=${encodeURIComponent(v.trim())}`] : [],
        ),
      ].join('&');
      return call<ContactList>('GET', q ? `${path}${path.includes('?') ? '&' : '?'}${q}` : path);
    },
    getContact: (id: string) => call<Contact>('GET', `/api/contacts/${encodeURIComponent(id)}`),
    /**
     * Changes the name or custom attributes (merged in; null removes one) or the tags (replaced); the contact as it is
     * now. 400 with issues.
     */
    updateContact: (id: string, patch: ContactPatch) =>
      call<Contact>('PATCH', `/api/contacts/${encodeURIComponent(id)}`, patch),
    /** Each connected CRM account's record of the contact and where its sync stands. */
    contactCrm: (id: string) => call<{ items: CrmLinkStatus[] }>('GET', `/api/contacts/${encodeURIComponent(id)}/crm`),
    /**
     * The contact's one timeline, newest first: `types` only these event types, `channel` only messages on it,
     * `before` a `nextCursor` (the next older page).
     */
    contactTimeline: (
      id: string,
      opts: { types?: readonly string[]; channel?: string; before?: string; limit?: number } = {},
    ) => {
      const q = new URLSearchParams();
      if (opts.types?.length) q.set('types', opts.types.join(','));
      if (opts.channel) q.set('channel', opts.channel);
      if (opts.before) q.set('before', opts.before);
      if (opts.limit !== undefined) q.set('limit', String(opts.limit));
      const qs = q.toString();
      return call<Timeline>('GET', `/api/contacts/${encodeURIComponent(id)}/timeline${qs ? `?${qs}` : ''}`);
    },
    /** The contact's notes (with those of contacts merged into it), newest first. */
    listNotes: (id: string, opts: { limit?: number; cursor?: string | undefined } = {}) =>
      call<Page<ContactNote>>('GET', page(`/api/contacts/${encodeURIComponent(id)}/notes`, opts)),
    /** Writes a note on the contact; the note. */
    addNote: (id: string, text: string) =>
      call<ContactNote>('POST', `/api/contacts/${encodeURIComponent(id)}/notes`, { text }),
    deleteNote: (id: string, noteId: string) =>
      call<null>('DELETE', `/api/contacts/${encodeURIComponent(id)}/notes/${encodeURIComponent(noteId)}`),
    /** Takes an identity off the contact (kept in its timeline); the contact as it is now. */
    detachIdentity: (id: string, identityId: string) =>
      call<Contact>('DELETE', `/api/contacts/${encodeURIComponent(id)}/identities/${encodeURIComponent(identityId)}`),
    /** The workspace's custom attribute definitions, oldest first. */
    listAttributes: () => call<{ items: AttributeDefinition[] }>('GET', '/api/contact-attributes'),
    /** Defines a custom attribute (admin); 400 naming the field, 409 `attribute_exists`. */
    createAttribute: (body: NewAttribute) => call<AttributeDefinition>('POST', '/api/contact-attributes', body),
    updateAttribute: (key: string, patch: AttributePatch) =>
      call<AttributeDefinition>('PATCH', `/api/contact-attributes/${encodeURIComponent(key)}`, patch),
    /** Deletes a definition; every contact keeps its value. */
    deleteAttribute: (key: string) => call<null>('DELETE', `/api/contact-attributes/${encodeURIComponent(key)}`),
    /** The merge rules the workspace turns on. */
    contactSettings: () => call<ContactSettings>('GET', '/api/contact-settings'),
    updateContactSettings: (patch: ContactSettingsPatch) =>
      call<ContactSettings>('PATCH', '/api/contact-settings', patch),
    /** The workspace's settings: its error flow. */
    workspaceSettings: () => call<WorkspaceSettings>('GET', '/api/workspace-settings'),
    /** 400 naming `/body/errorFlowId` for a flow that is not a published flow of the workspace. */
    updateWorkspaceSettings: (patch: WorkspaceSettingsPatch) =>
      call<WorkspaceSettings>('PATCH', '/api/workspace-settings', patch),
    /** Open duplicate suggestions, highest score first. */
    listDuplicates: (opts: { limit?: number; cursor?: string | undefined } = {}) =>
      call<Page<Duplicate>>('GET', page('/api/duplicates', opts)),
    /** Merges a suggestion's two contacts, `survivorId` keeping the other (the older by default). */
    mergeDuplicate: (id: string, survivorId?: string) =>
      call<MergeResult>('POST', `/api/duplicates/${encodeURIComponent(id)}/merge`, survivorId ? { survivorId } : {}),
    /** Not one person: never suggested again. */
    dismissDuplicate: (id: string) => call<Duplicate>('POST', `/api/duplicates/${encodeURIComponent(id)}/dismiss`),
    /** What merging `contactId` into `id` would make (`id` survives); nothing is written. 404/409 like the merge. */
    mergePreview: (id: string, contactId: string) =>
      call<MergePreview>(
        'GET',
        `/api/contacts/${encodeURIComponent(id)}/merge-preview?contactId=${encodeURIComponent(contactId)}`,
      ),
    /** Merges `contactId` (and what is merged into it) into `id`; the merge and the contact as it is now. */
    mergeContacts: (id: string, contactId: string) =>
      call<MergeResult>('POST', `/api/contacts/${encodeURIComponent(id)}/merge`, { contactId }),
    /** The merges the contact took part in, newest first, undone ones included. */
    listMerges: (id: string) =>
      call<{ items: ContactMerge[] }>('GET', `/api/contacts/${encodeURIComponent(id)}/merges`),
    /** Undoes a merge: both contacts as they were. */
    undoMerge: (mergeId: string) => call<UndoResult>('POST', `/api/contact-merges/${encodeURIComponent(mergeId)}/undo`),
  };
}

export type Api = ReturnType<typeof createApi>;

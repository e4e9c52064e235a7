// A fake Telegram Bot API: `GET|POST /bot<token>/<method>`, every call checked against the method's parameter table in
// the official docs (specs/telegram/api.json), answers in the documented `{ ok, result }` envelope, and inbound
// updates POSTed to the webhook set with setWebhook, carrying `X-Telegram-Bot-Api-Secret-Token`.
import { isValidTelegramSecret } from '../../sdk/index.js';
import {
  formToRecord,
  postTo,
  startFakeServer,
  type FakeServer,
  type RecordedRequest,
  type FakeReply,
} from '../fake-server.js';
import { loadSpec } from '../specs.js';

export interface ApiField {
  name: string;
  types: string[];
  required: boolean;
}
export interface ApiMethod {
  name: string;
  returns: string[];
  fields?: ApiField[];
}
interface ApiJson {
  version: string;
  methods: Record<string, ApiMethod>;
}

export interface TelegramUser {
  id: number;
  is_bot: boolean;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}
export interface TelegramChat {
  id: number;
  type: 'private' | 'group' | 'supergroup' | 'channel';
  title?: string;
  username?: string;
  first_name?: string;
  last_name?: string;
}
export interface TelegramMessage {
  message_id: number;
  date: number;
  chat: TelegramChat;
  from?: TelegramUser;
  text?: string;
}
export interface TelegramUpdate {
  update_id: number;
  message?: TelegramMessage;
  [kind: string]: unknown;
}
export interface TelegramWebhook {
  url: string;
  secretToken?: string;
  maxConnections?: number;
  allowedUpdates?: string[];
}

export interface TelegramFake extends FakeServer {
  token: string;
  /** The bot getMe returns and sent messages come from. */
  bot: TelegramUser;
  /** Set by setWebhook, cleared by deleteWebhook (or setWebhook with an empty url). */
  webhook: TelegramWebhook | undefined;
  /** Messages sent through sendMessage, in order. */
  sent: TelegramMessage[];
  /** POST an Update to the webhook, with the secret token header when one was set. */
  sendUpdate(update: TelegramUpdate): Promise<{ status: number; body: string }>;
  /** Answer the next valid sendMessage with `reply` instead (once, after the spec checks), e.g. `tooManyRequests(2)`. */
  failNextSend(reply: FakeReply): void;
}

const api = (): ApiJson => loadSpec<ApiJson>('telegram/api.json');
/** Methods are case-insensitive (official "Making requests"). */
let byLowerName: Map<string, ApiMethod> | undefined;
const findMethod = (name: string): ApiMethod | undefined =>
  (byLowerName ??= new Map(Object.values(api().methods).map((m) => [m.name.toLowerCase(), m]))).get(name.toLowerCase());

/** `value` (a JSON value, or a string from a query/form) matches one of the spec's type strings. */
function matchesType(type: string, value: unknown, fromForm: boolean): boolean {
  const json = (): unknown => {
    if (!fromForm || typeof value !== 'string') return value;
    try {
      return JSON.parse(value);
    } catch {
      return undefined;
    }
  };
  switch (type) {
    case 'Integer':
      return fromForm ? typeof value === 'string' && /^-?\d+$/.test(value) : Number.isInteger(value);
    case 'Float':
      return fromForm
        ? typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))
        : typeof value === 'number';
    case 'String':
      return typeof value === 'string';
    case 'Boolean':
      return fromForm ? value === 'true' || value === 'false' : typeof value === 'boolean';
    case 'True':
      return fromForm ? value === 'true' : value === true;
    case 'InputFile':
      return typeof value === 'string'; // a file_id or URL; uploads (multipart) are not supported by this fake
    default: {
      const v = json();
      if (type.startsWith('Array of ')) return Array.isArray(v);
      return typeof v === 'object' && v !== null && !Array.isArray(v); // an object type (ReplyParameters, ...)
    }
  }
}

/** Every way `params` break the method's parameter table: unknown names, missing required ones, wrong types. */
export function telegramParamProblems(method: ApiMethod, params: Record<string, unknown>, fromForm: boolean): string[] {
  const fields = method.fields ?? [];
  const problems: string[] = [];
  for (const name of Object.keys(params)) {
    if (!fields.some((f) => f.name === name)) problems.push(`unknown parameter "${name}"`);
  }
  for (const f of fields) {
    const v = params[f.name];
    if (v === undefined) {
      if (f.required) problems.push(`parameter "${f.name}" is required`);
    } else if (!f.types.some((t) => matchesType(t, v, fromForm))) {
      problems.push(`parameter "${f.name}" must be ${f.types.join(' or ')}`);
    }
  }
  return problems;
}

let nextUpdateId = 10000;
let nextMessageId = 1;

/** A text-message Update (`message` with the required message_id, date, chat, plus from and text). */
export function textMessageUpdate(opts: {
  from: TelegramUser;
  chat?: TelegramChat;
  text: string;
  updateId?: number;
  messageId?: number;
  date?: number;
}): TelegramUpdate {
  const chat = opts.chat ?? { id: opts.from.id, type: 'private', first_name: opts.from.first_name };
  return {
    update_id: opts.updateId ?? nextUpdateId++,
    message: {
      message_id: opts.messageId ?? nextMessageId++,
      date: opts.date ?? Math.floor(Date.now() / 1000),
      chat,
      from: opts.from,
      text: opts.text,
    },
  };
}

const ok = (result: unknown): FakeReply => ({ status: 200, body: { ok: true, result } });
const fail = (status: number, description: string): FakeReply => ({
  status,
  body: { ok: false, error_code: status, description },
});

/** Telegram's flood-control answer: 429 with `parameters.retry_after` (ResponseParameters) in seconds. */
export const tooManyRequests = (retryAfterSeconds: number): FakeReply => ({
  status: 429,
  body: {
    ok: false,
    error_code: 429,
    description: `Too Many Requests: retry after ${retryAfterSeconds}`,
    parameters: { retry_after: retryAfterSeconds },
  },
});

export async function startTelegramFake(opts: { token: string; bot?: Partial<TelegramUser> }): Promise<TelegramFake> {
  const botId = Number(/^(\d+):/.exec(opts.token)?.[1] ?? 7000000001);
  const bot: TelegramUser = {
    id: botId,
    is_bot: true,
    first_name: 'Confluo Test Bot',
    username: 'confluo_test_bot',
    ...opts.bot,
  };
  let tg!: TelegramFake;
  const pendingFailures: FakeReply[] = [];

  const handle = (req: RecordedRequest, fake: FakeServer): FakeReply => {
    const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(req.path);
    const reject = (status: number, description: string): FakeReply => (
      fake.violate(req, description),
      fail(status, description)
    );
    if (!m) return reject(404, 'Not Found');
    if (m[1] !== opts.token) return reject(401, 'Unauthorized');
    const method = findMethod(m[2]!);
    if (!method) return reject(404, 'Not Found');
    if (req.method !== 'GET' && req.method !== 'POST') return reject(405, `method ${req.method} not allowed`);
    if (req.bodyError) return reject(400, `Bad Request: ${req.bodyError}`);

    // Parameters may come as a query string, a form or a JSON object (official "Making requests").
    const isJson = req.body !== undefined && !(req.body instanceof URLSearchParams);
    if (isJson && (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body))) {
      return reject(400, 'Bad Request: the JSON body must be an object');
    }
    const params: Record<string, unknown> = {
      ...formToRecord(req.query),
      ...(req.body instanceof URLSearchParams
        ? formToRecord(req.body)
        : (req.body as Record<string, unknown> | undefined)),
    };
    const problems = telegramParamProblems(method, params, !isJson);
    if (problems.length > 0) return reject(400, `Bad Request: ${problems.join('; ')}`);
    const str = (v: unknown): string | undefined => (v === undefined ? undefined : String(v));

    switch (method.name) {
      case 'getMe':
        return ok({
          ...bot,
          can_join_groups: true,
          can_read_all_group_messages: false,
          supports_inline_queries: false,
        });
      case 'sendMessage': {
        const failure = pendingFailures.shift();
        if (failure) return failure;
        const chatId = str(params.chat_id)!;
        const chat: TelegramChat = /^-?\d+$/.test(chatId)
          ? { id: Number(chatId), type: Number(chatId) < 0 ? 'group' : 'private' }
          : { id: -1000000000001, type: 'channel', username: chatId.replace(/^@/, '') };
        const message: TelegramMessage = {
          message_id: nextMessageId++,
          date: Math.floor(Date.now() / 1000),
          chat,
          from: bot,
          text: str(params.text)!,
        };
        tg.sent.push(message);
        return ok(message);
      }
      case 'setWebhook': {
        const url = str(params.url)!;
        const secret = str(params.secret_token);
        if (secret !== undefined && !isValidTelegramSecret(secret)) {
          return reject(400, 'Bad Request: secret token contains unallowed characters'); // 1-256 of A-Z a-z 0-9 _ -
        }
        if (url !== '' && !/^https?:\/\//.test(url)) return reject(400, 'Bad Request: bad webhook: invalid URL');
        const allowed = params.allowed_updates;
        tg.webhook =
          url === ''
            ? undefined
            : {
                url,
                secretToken: secret,
                maxConnections: params.max_connections === undefined ? undefined : Number(params.max_connections),
                allowedUpdates:
                  allowed === undefined
                    ? undefined
                    : ((typeof allowed === 'string' ? JSON.parse(allowed) : allowed) as string[]),
              };
        return ok(true);
      }
      case 'deleteWebhook':
        tg.webhook = undefined;
        return ok(true);
      case 'getWebhookInfo': {
        const w = tg.webhook;
        return ok({
          url: w?.url ?? '',
          has_custom_certificate: false,
          pending_update_count: 0,
          ...(w ? { max_connections: w.maxConnections ?? 40 } : {}),
          ...(w?.allowedUpdates ? { allowed_updates: w.allowedUpdates } : {}),
        });
      }
      default:
        // Valid per the spec, but this fake does not simulate it: not a violation, yet not a silent success either.
        return fail(501, `Not Implemented: the fake does not simulate ${method.name}`);
    }
  };

  const fake = await startFakeServer(handle);
  tg = Object.assign(fake, {
    token: opts.token,
    bot,
    webhook: undefined,
    sent: [],
    sendUpdate: async (update: TelegramUpdate) => {
      const w = tg.webhook;
      if (!w) throw new Error('no webhook set: call setWebhook first');
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (w.secretToken !== undefined) headers['x-telegram-bot-api-secret-token'] = w.secretToken;
      return postTo(w.url, JSON.stringify(update), headers);
    },
    failNextSend: (reply: FakeReply) => void pendingFailures.push(reply),
  });
  return tg;
}

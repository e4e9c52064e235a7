// A fake Slack Web API (`chat.postMessage`, `auth.test`) checked against the published Web API spec
// (specs/slack/slack_web_openapi_v2.json, Swagger 2.0, 2020): the token (Bearer header or `token` parameter), the
// operation's `formData` parameters (required, known names, types) from a form or a JSON body. Slack answers errors with
// HTTP 200 `{ ok: false, error }`. Plus the Events API side: `url_verification` and `event_callback` deliveries (the
// wrapper of specs/slack/slack_common_event_wrapper_schema.json), signed v0 with X-Slack-Signature over the raw body.
// The specs are stale: only our requests are checked strictly; nothing Slack sends is held to `additionalProperties`.
import { randomBytes } from 'node:crypto';
import { signSlack } from '../../sdk/index.js';
import { postTo, startFakeServer, type FakeReply, type FakeServer, type RecordedRequest } from '../fake-server.js';
import { loadSpec } from '../specs.js';

interface SwaggerParam {
  name: string;
  in: string;
  type: string;
  required?: boolean;
}
interface SwaggerOp {
  operationId: string;
  parameters?: SwaggerParam[];
}
interface Swagger {
  paths: Record<string, Record<string, SwaggerOp>>;
}

const spec = (): Swagger => loadSpec<Swagger>('slack/slack_web_openapi_v2.json');

export interface SlackMethod {
  operationId: string;
  /** The body parameters the spec declares (the header `token` excluded). */
  params: SwaggerParam[];
  /** Every problem of a request's parameters (names, required, types), all of them. */
  problems(data: Record<string, unknown>, json: boolean): string[];
}

/** A checker for one Web API method of the spec, e.g. `'chat.postMessage'`. */
export function slackMethod(name: string): SlackMethod {
  const ops = spec().paths[`/${name}`];
  const op = ops?.post ?? ops?.get;
  if (!op) throw new Error(`no method ${name} in the Slack spec`);
  const params = (op.parameters ?? []).filter((p) => p.in !== 'header');
  const byName = new Map(params.map((p) => [p.name, p]));
  return {
    operationId: op.operationId,
    params,
    problems(data, json) {
      const out: string[] = [];
      for (const p of params)
        if (p.required && (data[p.name] === undefined || data[p.name] === ''))
          out.push(`missing required parameter ${p.name}`);
      for (const [k, v] of Object.entries(data)) {
        if (k === 'token') continue; // the spec's header parameter, accepted in the body too
        const p = byName.get(k);
        if (!p) {
          out.push(`unknown parameter ${k}`);
          continue;
        }
        if (Array.isArray(v) && !json) {
          out.push(`parameter ${k} is repeated`);
          continue;
        }
        if (p.type === 'boolean') {
          const ok = json
            ? typeof v === 'boolean' || v === 'true' || v === 'false'
            : v === 'true' || v === 'false' || v === '1' || v === '0';
          if (!ok) out.push(`parameter ${k} must be boolean`);
        } else if (p.type === 'string') {
          // blocks / attachments are "a JSON-based array ... presented as a URL-encoded string"; a JSON body may hold the array itself.
          if (k === 'blocks' || k === 'attachments') {
            let arr: unknown = v;
            if (typeof v === 'string') {
              try {
                arr = JSON.parse(v);
              } catch {
                arr = undefined;
              }
            }
            if (!Array.isArray(arr)) out.push(`parameter ${k} must be a JSON array`);
          } else if (typeof v !== 'string') out.push(`parameter ${k} must be string`);
        }
      }
      return out;
    },
  };
}

export interface SlackPosted {
  channel: string;
  ts: string;
  /** The parameters as sent (form values as strings, JSON values as given), `token` removed. */
  params: Record<string, unknown>;
}

export interface SlackDelivery {
  status: number;
  body: string;
  headers: Record<string, string>;
  /** The exact body sent (what the signature covers). */
  rawBody: string;
  timestamp: number;
  signature: string;
}

export interface SlackEventDelivery extends SlackDelivery {
  payload: SlackEventCallback;
}

export interface SlackMessageEvent {
  type: 'message';
  user: string;
  channel: string;
  text: string;
  ts: string;
  event_ts: string;
  channel_type: string;
  thread_ts?: string;
}

export interface SlackEventCallback {
  token: string;
  team_id: string;
  api_app_id: string;
  event: SlackMessageEvent;
  type: 'event_callback';
  event_id: string;
  event_time: number;
  authed_users: string[];
}

export interface SlackSendOptions {
  /** Sign with a timestamp this many seconds in the past (default 0; > 300 is a replay Slack's verifiers reject). */
  ageSeconds?: number;
}

export interface SlackFake extends FakeServer {
  botToken: string;
  signingSecret: string;
  teamId: string;
  appId: string;
  botId: string;
  botUserId: string;
  /** Messages accepted by chat.postMessage, in order. */
  posted: SlackPosted[];
  /** POST a signed `url_verification`; `status`/`body` are the receiver's answer (it should echo `challenge`). */
  sendUrlVerification(url: string, opts?: SlackSendOptions): Promise<SlackDelivery & { challenge: string }>;
  /** POST a signed `event_callback` wrapping a `message` event. */
  sendMessageEvent(
    url: string,
    msg: { user: string; channel: string; text: string; ts?: string; thread_ts?: string; channel_type?: string },
    opts?: SlackSendOptions,
  ): Promise<SlackEventDelivery>;
  /** Re-deliver the same body (same event_id) as Slack's retry: `X-Slack-Retry-Num` / `X-Slack-Retry-Reason`, signed afresh. */
  retry(
    url: string,
    delivery: SlackEventDelivery,
    opts?: { num?: number; reason?: string },
  ): Promise<SlackEventDelivery>;
}

const id = (prefix: string, n = 10): string => prefix + randomBytes(n).toString('hex').toUpperCase().slice(0, n);
const nowSec = (): number => Math.floor(Date.now() / 1000);
/** A Slack ts, `0123456789.012345`, unique and increasing within this process. */
let lastMicros = 0;
function newTs(): string {
  lastMicros = Math.max(lastMicros + 1, Date.now() * 1000);
  return `${Math.floor(lastMicros / 1e6)}.${String(lastMicros % 1e6).padStart(6, '0')}`;
}

/** HTTP 200 `{ ok: false, error }`: how the Web API answers every error (spec: responses 200 / default). */
const slackError = (error: string): FakeReply => ({ status: 200, body: { ok: false, error } });

export async function startSlackFake(opts: {
  botToken: string;
  signingSecret: string;
  teamId?: string;
  appId?: string;
  verificationToken?: string;
}): Promise<SlackFake> {
  const postMessage = slackMethod('chat.postMessage');
  const authTest = slackMethod('auth.test');
  const teamId = opts.teamId ?? 'T0FAKE0001';
  const appId = opts.appId ?? 'A0FAKE0001';
  const botId = 'B0FAKE0001';
  const botUserId = 'U0FAKEBOT1';
  const verificationToken = opts.verificationToken ?? 'fake-verification-token';
  let sl!: SlackFake;

  const handle = (req: RecordedRequest, fake: FakeServer): FakeReply => {
    const reject = (error: string, why: string): FakeReply => (fake.violate(req, why), slackError(error));
    const m = /^\/api\/([A-Za-z.]+)$/.exec(req.path);
    const method = m?.[1] ?? '';
    if (method !== 'chat.postMessage' && method !== 'auth.test')
      return reject('unknown_method', `no simulated method at ${req.method} ${req.path}`);
    const checker = method === 'chat.postMessage' ? postMessage : authTest;

    let data: Record<string, unknown> = {};
    const json = req.body !== undefined && !(req.body instanceof URLSearchParams);
    if (req.bodyError !== undefined) {
      return reject(
        req.bodyError.startsWith('invalid JSON') ? 'invalid_json' : 'invalid_form_data',
        `${checker.operationId}: ${req.bodyError}`,
      );
    }
    if (req.body instanceof URLSearchParams) {
      for (const k of new Set(req.body.keys())) {
        const all = req.body.getAll(k);
        data[k] = all.length === 1 ? all[0] : all;
      }
    } else if (json) {
      if (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body))
        return reject('json_not_object', `${checker.operationId}: JSON body is not an object`);
      data = { ...(req.body as Record<string, unknown>) };
    }
    for (const [k, v] of req.query) if (data[k] === undefined) data[k] = v;
    if (req.method !== 'POST' && method === 'chat.postMessage')
      return reject('invalid_post_type', `${checker.operationId}: must be POST, got ${req.method}`);

    // Auth: the spec's header parameter `token`, sent as `Authorization: Bearer`, or a `token` parameter (form only: Slack ignores it in JSON).
    const auth = req.headers.authorization;
    const bearer = auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
    const token = bearer ?? (json ? undefined : data.token);
    if (token === undefined || token === '')
      return reject('not_authed', `${checker.operationId}: no token (Authorization: Bearer or token parameter)`);
    if (token !== opts.botToken) return reject('invalid_auth', `${checker.operationId}: wrong token`);
    if (json && data.token !== undefined)
      fake.violate(req, `${checker.operationId}: token in a JSON body is ignored by Slack; use Authorization: Bearer`);
    delete data.token;

    const problems = checker.problems(data, json);
    if (method === 'auth.test') {
      if (problems.length > 0) return reject('invalid_arguments', `${checker.operationId}: ${problems.join('; ')}`);
      return {
        status: 200,
        body: {
          ok: true,
          url: `https://${teamId.toLowerCase()}.slack.com/`,
          team: 'Fake Workspace',
          user: 'fakebot',
          team_id: teamId,
          user_id: botUserId,
          bot_id: botId,
        },
      };
    }
    const hasContent = ['text', 'blocks', 'attachments'].some((k) => data[k] !== undefined && data[k] !== '');
    if (!hasContent) problems.push('one of text, blocks, attachments is required');
    if (problems.length > 0) {
      const error =
        data.channel === undefined || data.channel === ''
          ? 'channel_not_found'
          : !hasContent
            ? 'no_text'
            : 'invalid_arguments';
      return reject(error, `${checker.operationId}: ${problems.join('; ')}`);
    }

    const channel = String(data.channel);
    const ts = newTs();
    const asArray = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : v);
    const message: Record<string, unknown> = {
      bot_id: botId,
      type: 'message',
      text: typeof data.text === 'string' ? data.text : '',
      user: botUserId,
      ts,
      team: teamId,
      ...(data.blocks !== undefined ? { blocks: asArray(data.blocks) } : {}),
      ...(data.attachments !== undefined
        ? { attachments: (asArray(data.attachments) as Record<string, unknown>[]).map((a, i) => ({ id: i + 1, ...a })) }
        : {}),
      ...(typeof data.thread_ts === 'string' ? { thread_ts: data.thread_ts, parent_user_id: botUserId } : {}),
      ...(typeof data.username === 'string' ? { username: data.username, subtype: 'bot_message' } : {}),
    };
    sl.posted.push({ channel, ts, params: data });
    return { status: 200, body: { ok: true, channel, ts, message } };
  };

  const deliver = async (
    url: string,
    rawBody: string,
    ageSeconds = 0,
    extra: Record<string, string> = {},
  ): Promise<SlackDelivery> => {
    const timestamp = nowSec() - ageSeconds;
    const signature = signSlack(opts.signingSecret, rawBody, timestamp);
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': signature,
      ...extra,
    };
    const res = await postTo(url, rawBody, headers);
    return { ...res, headers, rawBody, timestamp, signature };
  };

  const fake = await startFakeServer(handle);
  sl = Object.assign(fake, {
    botToken: opts.botToken,
    signingSecret: opts.signingSecret,
    teamId,
    appId,
    botId,
    botUserId,
    posted: [] as SlackPosted[],
    sendUrlVerification: async (url: string, o: SlackSendOptions = {}) => {
      const challenge = randomBytes(24).toString('base64url');
      // The body of api.slack.com/events/url_verification: token, challenge, type (no event).
      const d = await deliver(
        url,
        JSON.stringify({ token: verificationToken, challenge, type: 'url_verification' }),
        o.ageSeconds,
      );
      return { ...d, challenge };
    },
    sendMessageEvent: async (
      url: string,
      msg: { user: string; channel: string; text: string; ts?: string; thread_ts?: string; channel_type?: string },
      o: SlackSendOptions = {},
    ) => {
      const ts = msg.ts ?? newTs();
      const payload: SlackEventCallback = {
        token: verificationToken,
        team_id: teamId,
        api_app_id: appId,
        event: {
          type: 'message',
          user: msg.user,
          channel: msg.channel,
          text: msg.text,
          ts,
          event_ts: ts,
          channel_type: msg.channel_type ?? (msg.channel.startsWith('D') ? 'im' : 'channel'),
          ...(msg.thread_ts !== undefined ? { thread_ts: msg.thread_ts } : {}),
        },
        type: 'event_callback',
        event_id: id('Ev'),
        event_time: Math.floor(Number(ts)),
        authed_users: [botUserId],
      };
      const d = await deliver(url, JSON.stringify(payload), o.ageSeconds);
      return { ...d, payload };
    },
    retry: async (url: string, prev: SlackEventDelivery, o: { num?: number; reason?: string } = {}) => {
      const d = await deliver(url, prev.rawBody, 0, {
        'x-slack-retry-num': String(o.num ?? 1),
        'x-slack-retry-reason': o.reason ?? 'http_timeout',
      });
      return { ...d, payload: prev.payload };
    },
  });
  return sl;
}

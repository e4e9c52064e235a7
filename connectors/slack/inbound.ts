// Slack Events API: every request is signed v0 (X-Slack-Signature over "v0:<timestamp>:<raw body>", 5-minute window).
// `url_verification` is answered with its challenge; `event_callback` envelopes carrying a person's `message` become
// message.received, deduplicated on the envelope's event_id (Slack's retries, X-Slack-Retry-Num, repeat it).
import type { JsonObject } from '../flow/types.js';
import {
  InboundPayloadError,
  verifySlack,
  type AttachmentRef,
  type ChannelEvent,
  type InboundContract,
  type InboundContext,
  type MessageReceived,
} from '../sdk/index.js';

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
/** Read directly, not through readSlackSettings: a bad apiBaseUrl must not turn every delivery into a 500. */
const setting = (ctx: InboundContext, name: 'teamId' | 'botUserId') => str(ctx.account.settings[name]);

const TS = /^(\d{1,12})\.(\d{1,6})$/;

/** Subtypes that are still a person writing; every other (edits, deletions, joins, bot_message, ...) is skipped. */
const PERSON_SUBTYPES = new Set(['file_share', 'thread_broadcast']);

const VERIFY_REASONS = {
  missing: 'X-Slack-Signature or X-Slack-Request-Timestamp is missing',
  stale: 'X-Slack-Request-Timestamp is more than 5 minutes away from now (replay?)',
  bad_signature: 'X-Slack-Signature does not match',
} as const;

function parseBody(rawBody: Buffer): Obj {
  let body: unknown;
  try {
    body = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new InboundPayloadError('the Slack request body is not JSON (only Events API requests are handled)');
  }
  if (!isObject(body) || typeof body.type !== 'string')
    throw new InboundPayloadError('a Slack Events API request is an object with a type');
  return body;
}

/** A Slack ts (`<unix seconds>.<micro>`) as ISO-8601. */
export function tsToIso(ts: string): string {
  const [, sec = '0', frac = '0'] = TS.exec(ts) ?? [];
  return new Date(Number(sec) * 1000 + Math.floor(Number(frac.padEnd(6, '0')) / 1000)).toISOString();
}

function fileAttachment(f: unknown): AttachmentRef {
  if (!isObject(f) || !str(f.id)) throw new InboundPayloadError('a Slack file without an id');
  const mimeType = str(f.mimetype);
  const major = mimeType?.split('/')[0];
  const type = major === 'image' ? 'image' : major === 'audio' ? 'audio' : major === 'video' ? 'video' : 'file';
  const name = str(f.name);
  return { type, ref: f.id as string, ...(mimeType && { mimeType }), ...(name && { name }) };
}

function messageEvent(envelope: Obj, event: Obj, ctx: InboundContext): MessageReceived | undefined {
  const subtype = event.subtype;
  if (subtype !== undefined && !(typeof subtype === 'string' && PERSON_SUBTYPES.has(subtype))) return undefined;
  if (event.bot_id !== undefined || event.bot_profile !== undefined) return undefined;
  const user = str(event.user);
  const channel = str(event.channel);
  const ts = str(event.ts);
  if (!user || !channel || !ts || !TS.test(ts))
    throw new InboundPayloadError('a Slack message event needs user, channel and ts');
  if (user === setting(ctx, 'botUserId')) return undefined;
  const threadTs = str(event.thread_ts);
  if (threadTs !== undefined && !TS.test(threadTs)) throw new InboundPayloadError('a Slack thread_ts must be a ts');
  const files =
    event.files === undefined
      ? []
      : Array.isArray(event.files)
        ? event.files.map(fileAttachment)
        : [fileAttachment(event.files)];
  const text = str(event.text);
  return {
    type: 'message.received',
    dedupeKey: envelope.event_id as string,
    providerMessageId: `${channel}:${ts}`,
    timestamp: tsToIso(ts),
    sender: { identity: { kind: 'slack', value: `${envelope.team_id as string}:${user}` } },
    replyTo: { kind: 'slack_channel', value: channel },
    ...(text !== undefined && { text }),
    ...(files.length > 0 && { attachments: files }),
    thread: {
      id: threadTs ?? ts,
      ...(threadTs !== undefined && threadTs !== ts && { inReplyTo: `${channel}:${threadTs}` }),
      extra: { channel },
    },
    raw: event as JsonObject,
  };
}

export const slackInbound: InboundContract = {
  // Reached for POSTs only after verify succeeded, so the challenge is only ever echoed to Slack.
  handshake(req) {
    if (req.method !== 'POST') return undefined;
    let body: unknown;
    try {
      body = JSON.parse(req.rawBody.toString('utf8'));
    } catch {
      return undefined;
    }
    if (!isObject(body) || body.type !== 'url_verification' || typeof body.challenge !== 'string') return undefined;
    return { status: 200, body: { challenge: body.challenge }, contentType: 'application/json' };
  },

  verify(req, ctx) {
    const secret = ctx.account.credentials.signingSecret;
    if (typeof secret !== 'string' || secret === '') return { ok: false, reason: 'the account has no signing secret' };
    const result = verifySlack(
      secret,
      req.rawBody,
      req.headers['x-slack-request-timestamp'],
      req.headers['x-slack-signature'],
      Math.floor(ctx.now / 1000),
    );
    return result.ok ? result : { ok: false, reason: VERIFY_REASONS[result.reason] };
  },

  parse(req, ctx): ChannelEvent[] {
    const body = parseBody(req.rawBody);
    if (body.type === 'url_verification')
      throw new InboundPayloadError('a Slack url_verification needs a string challenge');
    // Other envelope types (app_rate_limited, ...) carry no messages.
    if (body.type !== 'event_callback') return [];
    const event = body.event;
    if (!str(body.event_id) || !str(body.team_id) || !isObject(event) || typeof event.type !== 'string') {
      throw new InboundPayloadError('a Slack event_callback needs event_id, team_id and an event with a type');
    }
    const teamId = setting(ctx, 'teamId');
    if (teamId !== undefined && body.team_id !== teamId) {
      ctx.logger.warn(
        { accountId: ctx.account.id, teamId: body.team_id, eventId: body.event_id },
        'slack event from another workspace ignored',
      );
      return [];
    }
    // app_mention is skipped: a mention also arrives as a `message` event (with its own event_id), so handling both
    // would record the message twice.
    if (event.type !== 'message') return [];
    const message = messageEvent(body, event, ctx);
    return message ? [message] : [];
  },
};

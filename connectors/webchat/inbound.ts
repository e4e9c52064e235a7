// Visitor messages: the widget POSTs `{ visitorId, token, text, clientMessageId, name?, email?, page? }` as JSON to the
// account's gateway URL. The token (body, or the X-Webchat-Token header) is checked against the widget secret, the
// Origin against the account's allowed origins. The widget sends it as text/plain so browsers need no CORS preflight
// (the gateway has no OPTIONS route); the ack allows any origin to read it, since verify has already checked the origin.
import { normalizeEmail } from '../contacts/normalize.js';
import type { JsonObject } from '../flow/types.js';
import {
  InboundPayloadError,
  type ChannelEvent,
  type InboundContract,
  type InboundRequest,
  type MessageReceived,
  type ContactIdentityInput,
} from '../sdk/index.js';
import { isWidgetSecret } from './auth.js';
import { checkOrigin, readWebchatSettings } from './settings.js';
import { checkVisitorToken } from './token.js';

export const MAX_TEXT = 4000;
const CLIENT_MESSAGE_ID = /^[A-Za-z0-9_-]{1,64}$/;

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function bodyOf(req: InboundRequest): Obj | undefined {
  try {
    const body: unknown = JSON.parse(req.rawBody.toString('utf8'));
    return isObject(body) ? body : undefined;
  } catch {
    return undefined;
  }
}

const headerToken = (req: InboundRequest) => {
  const h = req.headers['x-webchat-token'];
  return typeof h === 'string' && h !== '' ? h : undefined;
};

/** An optional string field: absent, null or blank is undefined; anything but a string is a payload error. */
function optional(body: Obj, field: string, max: number): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new InboundPayloadError(`${field} must be a string`);
  const s = v.trim();
  if (s.length > max) throw new InboundPayloadError(`${field} is longer than ${max} characters`);
  return s === '' ? undefined : s;
}

export function visitorMessage(body: Obj, now: number): MessageReceived {
  const visitorId = body.visitorId as string; // checked by verify
  const clientMessageId = body.clientMessageId;
  if (typeof clientMessageId !== 'string' || !CLIENT_MESSAGE_ID.test(clientMessageId)) {
    throw new InboundPayloadError('clientMessageId must be 1 to 64 characters of A-Z, a-z, 0-9, _ and -');
  }
  if (typeof body.text !== 'string' || body.text.trim() === '')
    throw new InboundPayloadError('text must be a non-empty string');
  if (body.text.length > MAX_TEXT) throw new InboundPayloadError(`text is longer than ${MAX_TEXT} characters`);
  const name = optional(body, 'name', 200);
  const rawEmail = optional(body, 'email', 254);
  let email: string | undefined;
  if (rawEmail !== undefined) {
    try {
      email = normalizeEmail(rawEmail);
    } catch {
      throw new InboundPayloadError('email is not an email address');
    }
  }
  const page = optional(body, 'page', 2000);
  const id = `${visitorId}:${clientMessageId}`;
  const identities: ContactIdentityInput[] = email ? [{ kind: 'email', value: email }] : [];
  return {
    type: 'message.received',
    dedupeKey: id,
    providerMessageId: id,
    // The visitor's clock is not to be trusted: the time the gateway received it.
    timestamp: new Date(now).toISOString(),
    sender: {
      identity: { kind: 'webchat', value: visitorId },
      ...(identities.length > 0 && { identities }),
      ...(name && { name }),
    },
    text: body.text,
    ...(page !== undefined && { raw: { page } as JsonObject }),
  };
}

export const webchatInbound: InboundContract = {
  verify(req, ctx) {
    const secret = ctx.account.credentials.widgetSecret;
    if (!isWidgetSecret(secret))
      return { ok: false, reason: 'the account has no widget secret yet: save the account again to generate one' };
    const settings = readWebchatSettings(ctx.account.settings);
    if (checkOrigin(settings, req.headers.origin, ctx.account.inboundUrl) === 'refused') {
      return { ok: false, reason: 'this website (Origin) is not allowed to use this chat' };
    }
    const body = bodyOf(req);
    if (!body) return { ok: false, reason: 'the body is not a JSON object with visitorId and token' };
    return checkVisitorToken(secret, body.visitorId, headerToken(req) ?? body.token)
      ? { ok: true }
      : { ok: false, reason: 'the visitor token is missing or wrong' };
  },
  parse(req, ctx): ChannelEvent[] {
    const body = bodyOf(req);
    if (!body) throw new InboundPayloadError('the body is not a JSON object');
    return [visitorMessage(body, ctx.now)];
  },
  ack: {
    status: 202,
    body: { ok: true },
    headers: { 'access-control-allow-origin': '*', 'cache-control': 'no-store' },
  },
};

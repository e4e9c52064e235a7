// Fake Meta Graph API senders: the WhatsApp Cloud API (`POST /v23.0/{phone-number-id}/messages`, the body checked
// against the `Message` schema of Meta's published OpenAPI spec, specs/whatsapp/business-messaging-api_v23.0.json)
// and the Messenger / Instagram Send API (`POST /v23.0/me/messages`, checked against a small schema written here from
// the official Postman bodies, since no spec file describes it). Bearer auth; Graph's `{ error: {...} }` answers.
// Plus the webhook side: the `hub.challenge` GET handshake and signed (`X-Hub-Signature-256`) inbound deliveries.
import { randomBytes, randomInt } from 'node:crypto';
import type { ValidateFunction } from 'ajv';
import { createAjv, signMeta } from '../../sdk/index.js';
import { postTo, startFakeServer, type FakeReply, type FakeServer, type RecordedRequest } from '../fake-server.js';
import { loadSpec } from '../specs.js';

export const GRAPH_VERSION = 'v23.0';
export const WHATSAPP_SPEC = 'whatsapp/business-messaging-api_v23.0.json';

type Schema = Record<string, unknown>;
interface OpenApi {
  components: { schemas: Record<string, Schema> };
}

// ---------------------------------------------------------------------------------------------------------------
// Shared: Graph errors, signed deliveries, the handshake

/** Graph's error body (the spec's `GraphAPIError`). */
export const graphError = (
  status: number,
  code: number,
  message: string,
  type = 'OAuthException',
  subcode?: number,
): FakeReply => ({
  status,
  body: {
    error: {
      message,
      type,
      code,
      ...(subcode !== undefined ? { error_subcode: subcode } : {}),
      fbtrace_id: randomBytes(12).toString('base64url'),
    },
  },
});

/** JSON as Meta sends it: non-ASCII characters `\uXXXX`-escaped (the signature covers these exact bytes). */
export const metaJson = (value: unknown): string =>
  JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

export interface MetaDelivery {
  status: number;
  body: string;
  /** The exact bytes POSTed (what the signature covers). */
  rawBody: string;
  payload: unknown;
  /** The `X-Hub-Signature-256` header value. */
  signature: string;
}

export interface HandshakeResult {
  status: number;
  /** What the receiver answered, as text. */
  body: string;
  /** The challenge sent; a passing receiver answers exactly this. */
  challenge: string;
}

async function deliverSigned(appSecret: string, url: string, payload: unknown): Promise<MetaDelivery> {
  const rawBody = metaJson(payload);
  const signature = signMeta(appSecret, rawBody);
  const res = await postTo(url, rawBody, {
    'content-type': 'application/json',
    'x-hub-signature-256': signature,
    'user-agent': 'facebookexternalua',
  });
  return { ...res, rawBody, payload, signature };
}

/** The verification GET: `hub.mode=subscribe`, `hub.challenge` (an int, as Meta sends) and `hub.verify_token`. */
export async function metaHandshakeRequest(
  url: string,
  verifyToken: string,
  opts: { mode?: string; challenge?: string } = {},
): Promise<HandshakeResult> {
  const challenge = opts.challenge ?? String(randomInt(1, 2 ** 31 - 1));
  const u = new URL(url);
  u.searchParams.set('hub.mode', opts.mode ?? 'subscribe');
  u.searchParams.set('hub.challenge', challenge);
  u.searchParams.set('hub.verify_token', verifyToken);
  const res = await fetch(u, { headers: { 'user-agent': 'facebookplatform/1.0 (+http://developers.facebook.com)' } });
  return { status: res.status, body: await res.text(), challenge };
}

/** Bearer token of a request, when given in the `Authorization` header. */
const bearer = (req: RecordedRequest): string | undefined =>
  /^Bearer\s+(\S+)$/.exec(req.headers.authorization ?? '')?.[1];

/** ajv errors as `at message` strings (`body` for the root). */
const errorsOf = (v: ValidateFunction): string[] =>
  (v.errors ?? []).map((e) => {
    const at = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : 'body';
    const extra = (e.params as { additionalProperty?: string }).additionalProperty;
    return extra !== undefined ? `${at}: unknown property ${extra}` : `${at} ${e.message ?? 'is invalid'}`;
  });

const nowSeconds = (): string => String(Math.floor(Date.now() / 1000));

// ---------------------------------------------------------------------------------------------------------------
// WhatsApp Cloud API

/**
 * The spec's message schemas, prepared for ajv: each `allOf` is merged into one object schema. As published, a
 * branch such as TextMessage's `{ additionalProperties: false, properties: { type, text } }` would reject the base
 * properties (`messaging_product`, `to`, ...) that the other branch allows, i.e. every documented example.
 */
const SPEC_ID = 'https://confluo.test/specs/whatsapp/business-messaging-api_v23.0.json';

function mergedComponents(): Record<string, Schema> {
  const src = loadSpec<OpenApi>(WHATSAPP_SPEC).components.schemas;
  const resolve = (s: Schema): Schema =>
    typeof s.$ref === 'string' ? resolve(src[s.$ref.replace('#/components/schemas/', '')] ?? {}) : s;
  const merge = (s: Schema): Schema => {
    if (!Array.isArray(s.allOf)) return s;
    const { allOf, ...rest } = s;
    const out: Schema = { ...rest, type: 'object', properties: {} as Record<string, Schema> };
    const required = new Set<string>();
    let closed = false;
    for (const part of (allOf as Schema[]).map((p) => merge(resolve(p)))) {
      Object.assign(out.properties as Schema, part.properties ?? {});
      for (const r of (part.required as string[] | undefined) ?? []) required.add(r);
      if (part.additionalProperties === false) closed = true;
    }
    if (required.size > 0) out.required = [...required];
    if (closed) out.additionalProperties = false;
    return out;
  };
  const out: Record<string, Schema> = {};
  for (const [name, s] of Object.entries(src)) out[name] = merge(s);
  return out;
}

/** Any schema of the spec's components (allOf merged as above), e.g. `MessageResponsePayload`, `WebhookPayload`. */
export function compileWhatsAppSchema(name: string): ValidateFunction {
  const ajv = createAjv();
  ajv.addSchema({ $id: SPEC_ID, components: { schemas: mergedComponents() } });
  return ajv.compile({ $ref: `${SPEC_ID}#/components/schemas/${name}` });
}

export interface WhatsAppSendChecker {
  /** The message types of the spec's `Message` discriminator. */
  types: string[];
  /** Every problem of a send body, all of them, not the first. */
  problems(body: unknown): string[];
}

/**
 * A checker for `sendMessage` bodies: `messaging_product` must be `whatsapp`, `type` one of the discriminator's
 * mapping, and the rest must match that type's schema (e.g. TextMessage, TemplateMessage; `context.message_id` for
 * replies). Relaxed from the spec in two points, both required there but absent from its own examples (e.g. "Send Test
 * Message", "Send Message Template Text") and optional in Meta's docs: `recipient_type` and the template `language.policy`.
 */
export function whatsappSendChecker(): WhatsAppSendChecker {
  const components = mergedComponents();
  const mapping =
    (components.Message?.discriminator as { mapping?: Record<string, string> } | undefined)?.mapping ?? {};
  const names = Object.entries(mapping).map(([type, ref]) => [type, ref.replace('#/components/schemas/', '')] as const);
  for (const [, name] of names) {
    const s = components[name]!;
    components[name] = {
      ...s,
      required: ((s.required as string[] | undefined) ?? []).filter((r) => r !== 'recipient_type'),
    };
  }
  const lang = components.LanguageObject!;
  components.LanguageObject = {
    ...lang,
    required: ((lang.required as string[] | undefined) ?? []).filter((r) => r !== 'policy'),
  };
  const ajv = createAjv();
  ajv.addSchema({ $id: SPEC_ID, components: { schemas: components } });
  const byType = new Map<string, ValidateFunction>();
  for (const [type, name] of names) byType.set(type, ajv.compile({ $ref: `${SPEC_ID}#/components/schemas/${name}` }));
  return {
    types: [...byType.keys()],
    problems(body) {
      if (typeof body !== 'object' || body === null || Array.isArray(body)) return ['body must be a JSON object'];
      const b = body as Record<string, unknown>;
      const out: string[] = [];
      if (b.messaging_product !== 'whatsapp')
        out.push(
          b.messaging_product === undefined
            ? "body must have required property 'messaging_product'"
            : 'messaging_product must be "whatsapp"',
        );
      if (b.type === undefined) return [...out, "body must have required property 'type'"];
      const v = typeof b.type === 'string' ? byType.get(b.type) : undefined;
      if (!v) return [...out, `type ${JSON.stringify(b.type)} is not one of ${[...byType.keys()].join(', ')}`];
      if (!v(b)) out.push(...errorsOf(v));
      return out;
    },
  };
}

export interface WhatsAppSent {
  /** The `wamid.…` id answered. */
  id: string;
  phoneNumberId: string;
  /** The request body as sent (valid against the spec). */
  body: Record<string, unknown>;
}

export interface WhatsAppInbound {
  /** The sender's phone number (wa_id, digits only). */
  from: string;
  text: string;
  /** The sender's profile name (contacts[].profile.name). */
  name?: string;
  /** The message replied to (a `context` with `from` and `id`, as in the spec's "Text Message with Context" example). */
  context?: { from: string; id: string };
  id?: string;
  timestamp?: string;
}

export interface WhatsAppStatus {
  /** The `wamid.…` of the message the status is about. */
  id: string;
  status: 'sent' | 'delivered' | 'read' | 'failed';
  recipientId: string;
  timestamp?: string;
  errors?: { code: number; title: string; message?: string; error_data?: { details: string } }[];
}

export interface WhatsAppFake extends FakeServer {
  phoneNumberId: string;
  /** The WABA id in the webhook's `entry[].id`. */
  wabaId: string;
  /** The display number in the webhook's `metadata`. */
  displayPhoneNumber: string;
  /** Messages accepted, in order. */
  sent: WhatsAppSent[];
  /** GET the receiver with the `hub.*` verification query; returns its answer. */
  handshake(url: string, verifyToken: string, opts?: { mode?: string; challenge?: string }): Promise<HandshakeResult>;
  /** POST a `messages` webhook (the spec's "Text Message" example shape), signed. */
  sendInboundMessage(url: string, msg: WhatsAppInbound): Promise<MetaDelivery>;
  /** POST a `statuses` webhook (the status reference's shape), signed. */
  sendStatus(url: string, status: WhatsAppStatus): Promise<MetaDelivery>;
  /** POST any payload (e.g. one of the spec's webhook examples), serialized and signed as Meta does. */
  deliver(url: string, payload: unknown): Promise<MetaDelivery>;
  /** Answer the next spec-valid send with this reply instead of sending (e.g. `graphError(400, 131047, …)`, a 429 with Retry-After). */
  failNextSend(reply: FakeReply): void;
}

const wamid = (): string => `wamid.${randomBytes(24).toString('base64')}`;

export async function startWhatsAppFake(opts: {
  accessToken: string;
  phoneNumberId: string;
  appSecret: string;
  wabaId?: string;
  displayPhoneNumber?: string;
}): Promise<WhatsAppFake> {
  const checker = whatsappSendChecker();
  let wa!: WhatsAppFake;
  const pendingFailures: FakeReply[] = [];

  const handle = (req: RecordedRequest, fake: FakeServer): FakeReply => {
    const reject = (r: FakeReply, why: string): FakeReply => (fake.violate(req, why), r);
    const m = new RegExp(`^/${GRAPH_VERSION.replace('.', '\\.')}/([^/]+)/messages$`).exec(req.path);
    if (!m || req.method !== 'POST') {
      return reject(
        graphError(400, 100, `Unknown path components: ${req.path}`),
        `no such endpoint ${req.method} ${req.path}`,
      );
    }
    if (bearer(req) !== opts.accessToken) {
      return reject(
        graphError(401, 190, 'Invalid OAuth access token - Cannot parse access token'),
        'missing or wrong Bearer access token',
      );
    }
    if (m[1] !== opts.phoneNumberId) {
      return reject(
        graphError(
          400,
          100,
          `Unsupported post request. Object with ID '${m[1]}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
          'GraphMethodException',
          33,
        ),
        `unknown phone number id ${m[1]}`,
      );
    }
    const ct = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (ct !== 'application/json' || req.body === undefined) {
      return reject(
        graphError(400, 100, '(#100) The request body must be JSON'),
        `sendMessage: body is not JSON (${req.bodyError ?? (ct || 'no content type')})`,
      );
    }
    const problems = checker.problems(req.body);
    if (problems.length > 0)
      return reject(
        graphError(400, 100, `(#100) Invalid parameter: ${problems.join('; ')}`),
        `sendMessage: ${problems.join('; ')}`,
      );
    const injected = pendingFailures.shift();
    if (injected) return injected;

    const body = req.body as Record<string, unknown>;
    const to = String(body.to);
    const id = wamid();
    wa.sent.push({ id, phoneNumberId: m[1], body });
    // MessageResponsePayload, as in the spec's "Example response".
    return {
      status: 200,
      body: {
        messaging_product: 'whatsapp',
        contacts: [{ input: to, wa_id: to.replace(/\D/g, '') }],
        messages: [{ id }],
      },
    };
  };

  const envelope = (value: Record<string, unknown>): unknown => ({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: wa.wabaId,
        changes: [
          {
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: wa.displayPhoneNumber, phone_number_id: wa.phoneNumberId },
              ...value,
            },
            field: 'messages',
          },
        ],
      },
    ],
  });

  const fake = await startFakeServer(handle);
  wa = Object.assign(fake, {
    phoneNumberId: opts.phoneNumberId,
    wabaId: opts.wabaId ?? '419561257915477',
    displayPhoneNumber: opts.displayPhoneNumber ?? '15550783881',
    sent: [] as WhatsAppSent[],
    handshake: (url: string, verifyToken: string, o?: { mode?: string; challenge?: string }) =>
      metaHandshakeRequest(url, verifyToken, o),
    sendInboundMessage: (url: string, msg: WhatsAppInbound) =>
      deliverSigned(
        opts.appSecret,
        url,
        envelope({
          contacts: [{ profile: { name: msg.name ?? 'Sheena Nelson' }, wa_id: msg.from }],
          messages: [
            {
              ...(msg.context ? { context: msg.context } : {}),
              from: msg.from,
              id: msg.id ?? wamid(),
              timestamp: msg.timestamp ?? nowSeconds(),
              type: 'text',
              text: { body: msg.text },
            },
          ],
        }),
      ),
    sendStatus: (url: string, s: WhatsAppStatus) =>
      deliverSigned(
        opts.appSecret,
        url,
        envelope({
          statuses: [
            {
              id: s.id,
              status: s.status,
              timestamp: s.timestamp ?? nowSeconds(),
              recipient_id: s.recipientId,
              ...(s.errors ? { errors: s.errors } : {}),
            },
          ],
        }),
      ),
    deliver: (url: string, payload: unknown) => deliverSigned(opts.appSecret, url, payload),
    failNextSend: (reply: FakeReply) => void pendingFailures.push(reply),
  });
  return wa;
}

// ---------------------------------------------------------------------------------------------------------------
// Messenger and Instagram Send API

/**
 * The Send API body, written here from the official Postman collections' bodies and the Send API docs as quoted in
 * the contract notes (no published spec covers it): `recipient.id`, then `message` (text or attachment, optional
 * quick_replies / metadata) or `sender_action` (with `payload` for Instagram reactions); optional `messaging_type`.
 */
export const SEND_API_SCHEMA: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['recipient'],
  properties: {
    recipient: {
      type: 'object',
      additionalProperties: false,
      required: ['id'],
      properties: { id: { type: 'string', minLength: 1 } },
    },
    messaging_type: { enum: ['RESPONSE', 'UPDATE', 'MESSAGE_TAG'] },
    tag: { type: 'string' },
    notification_type: { enum: ['REGULAR', 'SILENT_PUSH', 'NO_PUSH'] },
    message: {
      type: 'object',
      additionalProperties: false,
      properties: {
        text: { type: 'string', minLength: 1 },
        attachment: {
          type: 'object',
          required: ['type', 'payload'],
          properties: { type: { type: 'string' }, payload: { type: 'object' } },
        },
        quick_replies: { type: 'array', items: { type: 'object' } },
        metadata: { type: 'string' },
      },
      anyOf: [{ required: ['text'] }, { required: ['attachment'] }],
    },
    sender_action: { enum: ['typing_on', 'typing_off', 'mark_seen', 'react', 'unreact'] },
    payload: { type: 'object' },
  },
  oneOf: [{ required: ['message'] }, { required: ['sender_action'] }],
};

export interface PageSent {
  /** The `m_…` id answered. */
  messageId: string;
  recipientId: string;
  body: Record<string, unknown>;
}

export interface PageInbound {
  /** The user's page- (or Instagram-) scoped id. */
  senderId: string;
  text: string;
  mid?: string;
  timestamp?: number;
}

export interface PageFake extends FakeServer {
  /** `page` (Messenger) or `instagram`. */
  object: 'page' | 'instagram';
  /** The Page id (Messenger) or Instagram account id: `entry[].id` and `recipient.id` of inbound messages. */
  accountId: string;
  sent: PageSent[];
  handshake(url: string, verifyToken: string, opts?: { mode?: string; challenge?: string }): Promise<HandshakeResult>;
  /** POST a `messages` webhook event (`entry[].messaging[]`), signed. */
  sendInboundMessage(url: string, msg: PageInbound): Promise<MetaDelivery>;
  /** POST any payload (e.g. delivery, read or attachment events), serialized and signed as Meta does. */
  deliver(url: string, payload: unknown): Promise<MetaDelivery>;
  /** Answer the next valid Send API call with this reply instead of sending (e.g. a Graph error, a 429 with Retry-After). */
  failNextSend(reply: FakeReply): void;
}

async function startPageFake(
  object: 'page' | 'instagram',
  token: string,
  appSecret: string,
  accountId: string,
): Promise<PageFake> {
  const ajv = createAjv();
  const validate = ajv.compile(SEND_API_SCHEMA);
  let pf!: PageFake;
  const pendingFailures: FakeReply[] = [];
  const pathRe = new RegExp(`^/${GRAPH_VERSION.replace('.', '\\.')}/(me|[^/]+)/messages$`);

  const handle = (req: RecordedRequest, fake: FakeServer): FakeReply => {
    const reject = (r: FakeReply, why: string): FakeReply => (fake.violate(req, why), r);
    const m = pathRe.exec(req.path);
    if (!m || req.method !== 'POST')
      return reject(
        graphError(400, 100, `Unknown path components: ${req.path}`),
        `no such endpoint ${req.method} ${req.path}`,
      );
    if (bearer(req) !== token)
      return reject(
        graphError(401, 190, 'Invalid OAuth access token - Cannot parse access token'),
        'missing or wrong Bearer access token',
      );
    if (m[1] !== 'me' && m[1] !== accountId) {
      return reject(
        graphError(
          400,
          100,
          `Unsupported post request. Object with ID '${m[1]}' does not exist`,
          'GraphMethodException',
          33,
        ),
        `unknown account id ${m[1]}`,
      );
    }
    const ct = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (ct !== 'application/json' || req.body === undefined) {
      return reject(
        graphError(400, 100, '(#100) The request body must be JSON'),
        `Send API: body is not JSON (${req.bodyError ?? (ct || 'no content type')})`,
      );
    }
    if (!validate(req.body)) {
      const problems = errorsOf(validate);
      return reject(
        graphError(400, 100, `(#100) Invalid parameter: ${problems.join('; ')}`),
        `Send API: ${problems.join('; ')}`,
      );
    }
    const injected = pendingFailures.shift();
    if (injected) return injected;
    const body = req.body as { recipient: { id: string } } & Record<string, unknown>;
    const messageId = `m_${randomBytes(48).toString('base64url')}`;
    pf.sent.push({ messageId, recipientId: body.recipient.id, body });
    return { status: 200, body: { recipient_id: body.recipient.id, message_id: messageId } };
  };

  const fake = await startFakeServer(handle);
  pf = Object.assign(fake, {
    object,
    accountId,
    sent: [] as PageSent[],
    handshake: (url: string, verifyToken: string, o?: { mode?: string; challenge?: string }) =>
      metaHandshakeRequest(url, verifyToken, o),
    sendInboundMessage: (url: string, msg: PageInbound) => {
      const timestamp = msg.timestamp ?? Date.now();
      return deliverSigned(appSecret, url, {
        object,
        entry: [
          {
            id: accountId,
            time: timestamp,
            messaging: [
              {
                sender: { id: msg.senderId },
                recipient: { id: accountId },
                timestamp,
                message: { mid: msg.mid ?? `mid.${timestamp}:${randomBytes(9).toString('hex')}`, text: msg.text },
              },
            ],
          },
        ],
      });
    },
    deliver: (url: string, payload: unknown) => deliverSigned(appSecret, url, payload),
    failNextSend: (reply: FakeReply) => void pendingFailures.push(reply),
  });
  return pf;
}

/** Messenger: `POST /v23.0/me/messages` (or `/{page-id}/messages`) with a Page access token. */
export function startMessengerFake(opts: {
  pageAccessToken: string;
  appSecret: string;
  pageId?: string;
}): Promise<PageFake> {
  return startPageFake('page', opts.pageAccessToken, opts.appSecret, opts.pageId ?? '106540352242922');
}

/** Instagram messaging: `POST /v23.0/me/messages` (or `/{ig-account-id}/messages`), same Send API body. */
export function startInstagramFake(opts: {
  accessToken: string;
  appSecret: string;
  igAccountId?: string;
}): Promise<PageFake> {
  return startPageFake('instagram', opts.accessToken, opts.appSecret, opts.igAccountId ?? '17841405822304914');
}

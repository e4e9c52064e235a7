// A fake Twilio REST API (2010-04-01): Messages create and fetch, each create checked against the CreateMessage
// operation of the published OpenAPI spec (specs/twilio/twilio_api_v2010.json): path parameters, the form body's
// properties and types, its `required`, and the `x-twilio.conditional` groups; HTTP Basic auth. Plus the inbound side:
// incoming-SMS and status-callback webhooks, form-encoded and signed with X-Twilio-Signature over the exact URL.
import { randomBytes } from 'node:crypto';
import type { ValidateFunction } from 'ajv';
import { createAjv, signTwilio } from '../../sdk/index.js';
import {
  formToRecord,
  postTo,
  startFakeServer,
  type FakeReply,
  type FakeServer,
  type RecordedRequest,
} from '../fake-server.js';
import { loadSpec } from '../specs.js';

type Schema = Record<string, unknown>;
interface Operation {
  operationId: string;
  parameters?: { name: string; in: string; schema: Schema; required?: boolean }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  'x-twilio'?: { conditional?: string[][] };
}
interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

const spec = (): OpenApi => loadSpec<OpenApi>('twilio/twilio_api_v2010.json');

/** Inline `#/components/schemas/*` refs, and drop formats the spec marks `x-twilio.ignoreFormat`. */
function deref(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(deref);
  if (typeof node !== 'object' || node === null) return node;
  const o = node as Schema;
  if (typeof o.$ref === 'string') return deref(spec().components.schemas[o.$ref.replace('#/components/schemas/', '')]);
  const out: Schema = {};
  for (const [k, v] of Object.entries(o)) if (k !== 'description') out[k] = deref(v);
  if ((o['x-twilio'] as { ignoreFormat?: boolean } | undefined)?.ignoreFormat) delete out.format;
  return out;
}

/** `from` / `messaging_service_sid` (the conditional groups' names) to the form names `From` / `MessagingServiceSid`. */
const pascal = (snake: string): string =>
  snake
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');

export interface FormOperation {
  operationId: string;
  /** Every problem of a form request (path parameters and body), all of them, not the first. */
  problems(pathParams: Record<string, string>, form: URLSearchParams): string[];
}

/** A checker for one form-encoded operation of the spec, e.g. `('/2010-04-01/Accounts/{AccountSid}/Messages.json', 'post')`. */
export function formOperation(path: string, method: string): FormOperation {
  const op = spec().paths[path]?.[method];
  if (!op) throw new Error(`no operation ${method.toUpperCase()} ${path} in the Twilio spec`);
  const body = deref(
    op.requestBody?.content['application/x-www-form-urlencoded']?.schema ?? { type: 'object', properties: {} },
  ) as Schema;
  const props = (body.properties ?? {}) as Record<string, Schema>;
  const ajv = createAjv();
  ajv.addFormat('phone-number', true); // E.164 or a channel address (`whatsapp:+1...`): not checked further
  const validate: ValidateFunction = ajv.compile({ ...body, additionalProperties: false });
  const params = (op.parameters ?? [])
    .filter((p) => p.in === 'path')
    .map((p) => ({ ...p, check: ajv.compile(deref(p.schema) as Schema) }));
  const groups = (op['x-twilio']?.conditional ?? []).map((g) => g.map(pascal));

  // Form values are strings: give them the types the schema declares so ajv can check them (a bad one stays a string).
  const coerce = (name: string, values: string[]): unknown => {
    const type = props[name]?.type;
    const one = (v: string): unknown =>
      (type === 'integer' && /^-?\d+$/.test(v)) || (type === 'number' && v.trim() !== '' && Number.isFinite(Number(v)))
        ? Number(v)
        : type === 'boolean' && (v === 'true' || v === 'false')
          ? v === 'true'
          : v;
    return type === 'array' ? values : values.length === 1 ? one(values[0]!) : values.map(one);
  };

  return {
    operationId: op.operationId,
    problems(pathParams, form) {
      const out: string[] = [];
      for (const p of params) {
        const v = pathParams[p.name];
        if (v === undefined) {
          if (p.required) out.push(`path parameter ${p.name} is required`);
        } else if (!p.check(v)) out.push(`path parameter ${p.name} ${p.check.errors?.[0]?.message ?? 'is invalid'}`);
      }
      const data: Record<string, unknown> = {};
      for (const name of new Set(form.keys())) data[name] = coerce(name, form.getAll(name));
      if (!validate(data)) {
        for (const e of validate.errors ?? []) {
          const at = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : '';
          const extra = (e.params as { additionalProperty?: string }).additionalProperty;
          out.push(extra !== undefined ? `unknown parameter ${extra}` : `${at || 'body'} ${e.message ?? 'is invalid'}`);
        }
      }
      for (const g of groups) if (!g.some((n) => form.has(n))) out.push(`one of ${g.join(', ')} is required`);
      return out;
    },
  };
}

const MESSAGES = '/2010-04-01/Accounts/{AccountSid}/Messages.json';

export interface TwilioMessage {
  sid: string;
  account_sid: string;
  api_version: '2010-04-01';
  body: string | null;
  to: string;
  from: string | null;
  messaging_service_sid: string | null;
  status: string;
  direction: string;
  num_media: string;
  num_segments: string;
  date_created: string;
  date_updated: string;
  date_sent: string | null;
  error_code: number | null;
  error_message: string | null;
  price: string | null;
  price_unit: string | null;
  uri: string;
  subresource_uris: { media: string };
}

export interface TwilioFake extends FakeServer {
  accountSid: string;
  /** Messages created, in order. */
  messages: TwilioMessage[];
  /** Form parameters of each accepted create, in order (what the connector sent). */
  created: Record<string, string | string[]>[];
  /**
   * Numbers that opted out by texting an opt-out keyword (or an `OptOutType: STOP`) through `sendInboundSms`; an opt-in
   * keyword removes them. A create addressed to one is refused with 400, code 21610, as Twilio's STOP filtering does.
   */
  optedOut: Set<string>;
  /** Answer the next spec-valid create with this error instead of creating (e.g. 429 with Retry-After, 503). */
  failNextCreate(error: TwilioErrorReply): void;
  /** POST an incoming-SMS webhook to `url`, signed over `url` exactly. `media` adds NumMedia, MediaUrl{N}, MediaContentType{N}. */
  sendInboundSms(opts: InboundSmsOptions): Promise<SignedDelivery>;
  /** POST a status callback for a message (one created here, or any sid with from/to given). */
  sendStatusCallback(opts: {
    url: string;
    messageSid: string;
    status: string;
    errorCode?: string;
    errorMessage?: string;
    from?: string;
    to?: string;
  }): Promise<SignedDelivery>;
}

export interface InboundSmsOptions {
  url: string;
  from: string;
  to: string;
  body: string;
  media?: { url: string; contentType: string }[];
  /** Extra parameters (e.g. `OptOutType`, sent when the Messaging Service has Advanced Opt-Out): merged last, signed. */
  extra?: Record<string, string>;
}

export interface TwilioErrorReply {
  status: number;
  code: number;
  message: string;
  headers?: Record<string, string>;
}

export interface SignedDelivery {
  status: number;
  body: string;
  params: Record<string, string>;
  signature: string;
}

const sid = (prefix: string): string => prefix + randomBytes(16).toString('hex');
/** RFC 2822, as in the spec's examples: "Thu, 24 Aug 2023 05:01:45 +0000". */
const rfc2822 = (d = new Date()): string => d.toUTCString().replace('GMT', '+0000');

/** Twilio's JSON error body (fields per twilio-node's RestException; not in the OpenAPI spec). */
const twilioError = (status: number, code: number, message: string, headers?: Record<string, string>): FakeReply => ({
  status,
  body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
  ...(headers && { headers }),
});

// Twilio's default STOP filtering keywords on long codes (docs: "Customize users' opt-in and opt-out experience with
// Advanced Opt-Out" and help article 223134027): the whole body, trimmed, case-insensitive.
const OPT_OUT = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT']);
const OPT_IN = new Set(['START', 'YES', 'UNSTOP', 'OPTIN']);

export async function startTwilioFake(opts: { accountSid: string; authToken: string }): Promise<TwilioFake> {
  const create = formOperation(MESSAGES, 'post');
  const basic = `Basic ${Buffer.from(`${opts.accountSid}:${opts.authToken}`).toString('base64')}`;
  let tw!: TwilioFake;
  const pendingFailures: TwilioErrorReply[] = [];

  const handle = (req: RecordedRequest, fake: FakeServer): FakeReply => {
    const reject = (r: FakeReply, why: string): FakeReply => (fake.violate(req, why), r);
    const notFound = (): FakeReply =>
      reject(
        twilioError(404, 20404, `The requested resource ${req.path} was not found`),
        `no such resource ${req.method} ${req.path}`,
      );
    if (req.headers.authorization !== basic)
      return reject(twilioError(401, 20003, 'Authenticate'), 'missing or wrong HTTP Basic credentials');
    const m = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages(?:\/([^/]+))?\.json$/.exec(req.path);
    if (!m) return notFound();
    const [, account = '', messageSid] = m;

    if (messageSid !== undefined) {
      if (req.method !== 'GET') return notFound();
      const msg = tw.messages.find((x) => x.sid === messageSid && x.account_sid === account);
      return msg ? { status: 200, body: msg } : notFound();
    }
    if (req.method !== 'POST') return notFound();
    if (!(req.body instanceof URLSearchParams)) {
      return reject(
        twilioError(400, 20001, 'Request body must be application/x-www-form-urlencoded'),
        `${create.operationId}: body is not a form (${req.bodyError ?? req.headers['content-type'] ?? 'no content type'})`,
      );
    }
    const form = req.body;
    const problems = create.problems({ AccountSid: account }, form);
    if (problems.length > 0) {
      // Codes of Twilio's error dictionary where one fits; 20001 otherwise.
      const code = !form.has('To')
        ? 21604
        : !form.has('From') && !form.has('MessagingServiceSid')
          ? 21603
          : !form.has('Body') && !form.has('MediaUrl') && !form.has('ContentSid')
            ? 21602
            : 20001;
      return reject(twilioError(400, code, problems.join('; ')), `${create.operationId}: ${problems.join('; ')}`);
    }
    if (account !== opts.accountSid) return notFound();
    const to = form.get('To')!;
    if (tw.optedOut.has(to)) return twilioError(400, 21610, 'Attempt to send to unsubscribed recipient');
    const injected = pendingFailures.shift();
    if (injected) return twilioError(injected.status, injected.code, injected.message, injected.headers);

    const now = rfc2822();
    const s = sid('SM');
    const uri = `/2010-04-01/Accounts/${account}/Messages/${s}`;
    const msg: TwilioMessage = {
      account_sid: account,
      api_version: '2010-04-01',
      body: form.get('Body'),
      date_created: now,
      date_sent: null,
      date_updated: now,
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      from: form.get('From'),
      messaging_service_sid: form.get('MessagingServiceSid'),
      num_media: String(form.getAll('MediaUrl').length),
      num_segments: '1',
      price: null,
      price_unit: null,
      sid: s,
      status: form.has('ScheduleType') ? 'scheduled' : form.has('From') ? 'queued' : 'accepted',
      subresource_uris: { media: `${uri}/Media.json` },
      to,
      uri: `${uri}.json`,
    };
    tw.messages.push(msg);
    tw.created.push(formToRecord(form));
    return { status: 201, body: msg };
  };

  const deliver = async (url: string, params: Record<string, string>): Promise<SignedDelivery> => {
    const signature = signTwilio(opts.authToken, url, params);
    const res = await postTo(url, new URLSearchParams(params).toString(), {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': signature,
      'user-agent': 'TwilioProxy/1.1',
    });
    return { ...res, params, signature };
  };

  const fake = await startFakeServer(handle);
  tw = Object.assign(fake, {
    accountSid: opts.accountSid,
    messages: [] as TwilioMessage[],
    created: [] as Record<string, string | string[]>[],
    // Parameters of the docs' "Twilio's request to your incoming message Webhook URL" (see specs/twilio/PROVENANCE.md).
    optedOut: new Set<string>(),
    failNextCreate: (error: TwilioErrorReply) => void pendingFailures.push(error),
    sendInboundSms: ({ url, from, to, body, media = [], extra }: InboundSmsOptions) => {
      // MMS sids start with MM, SMS sids with SM.
      const messageSid = sid(media.length > 0 ? 'MM' : 'SM');
      const params: Record<string, string> = {
        ToCountry: 'US',
        ToState: 'CA',
        SmsMessageSid: messageSid,
        NumMedia: String(media.length),
        ToCity: '',
        FromZip: '',
        SmsSid: messageSid,
        FromState: '',
        SmsStatus: 'received',
        FromCity: '',
        Body: body,
        FromCountry: 'US',
        To: to,
        ToZip: '',
        NumSegments: '1',
        MessageSid: messageSid,
        AccountSid: opts.accountSid,
        From: from,
        ApiVersion: '2010-04-01',
      };
      media.forEach((m, i) =>
        Object.assign(params, { [`MediaContentType${i}`]: m.contentType, [`MediaUrl${i}`]: m.url }),
      );
      Object.assign(params, extra);
      const keyword = body.trim().toUpperCase();
      const kind = params.OptOutType ?? (OPT_OUT.has(keyword) ? 'STOP' : OPT_IN.has(keyword) ? 'START' : undefined);
      if (kind === 'STOP') tw.optedOut.add(from);
      if (kind === 'START') tw.optedOut.delete(from);
      return deliver(url, params);
    },
    sendStatusCallback: ({
      url,
      messageSid,
      status,
      errorCode,
      errorMessage,
      from,
      to,
    }: {
      url: string;
      messageSid: string;
      status: string;
      errorCode?: string;
      errorMessage?: string;
      from?: string;
      to?: string;
    }) => {
      const msg = tw.messages.find((x) => x.sid === messageSid);
      if (msg) msg.status = status;
      return deliver(url, {
        SmsSid: messageSid,
        SmsStatus: status,
        MessageStatus: status,
        To: to ?? msg?.to ?? '',
        MessageSid: messageSid,
        AccountSid: opts.accountSid,
        From: from ?? msg?.from ?? '',
        ApiVersion: '2010-04-01',
        ...(errorCode !== undefined ? { ErrorCode: errorCode } : {}),
        ...(errorMessage !== undefined ? { ErrorMessage: errorMessage } : {}),
      });
    },
  });
  return tw;
}

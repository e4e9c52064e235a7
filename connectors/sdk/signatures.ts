// Inbound request signatures of the channel and CRM providers: pure functions over the raw request parts, no I/O.
// Every comparison is constant time (timingSafeEqual on equal-length buffers; a length mismatch is just `false`).
// Schemes and their reference implementations: ../shared/contracts/<provider>/NOTES.md, summarized per section.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { parse as parseQueryString, stringify as stringifyQueryString } from 'node:querystring';

/** A request body exactly as received. Signatures cover these bytes, never a re-serialized parse of them. */
export type RawBody = string | Uint8Array;
/** A header value as HTTP frameworks hand it over (Node gives `string[]` for a repeated header). */
export type HeaderValue = string | readonly string[] | undefined | null;

/** Constant-time string equality (UTF-8 bytes). Different lengths are unequal, without throwing. */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The single non-empty value of a header, or undefined (absent, empty, or repeated with different values). */
function single(header: HeaderValue): string | undefined {
  if (typeof header === 'string') return header === '' ? undefined : header;
  if (header == null || header.length === 0) return undefined;
  const [first] = header;
  return first !== undefined && first !== '' && header.every((h) => h === first) ? first : undefined;
}

const bytes = (body: RawBody): Buffer => (typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body));

// ---------------------------------------------------------------------------------------------------------------
// Twilio: X-Twilio-Signature = base64(HMAC-SHA1(authToken, url + name+value of each POST param sorted by name))

/** POST parameters: a record (a repeated name as an array) or URLSearchParams parsed from the raw form body. */
export type TwilioParams = Readonly<Record<string, string | readonly string[]>> | URLSearchParams;

function twilioData(url: string, params: TwilioParams): string {
  const byName = new Map<string, string[]>();
  const entries = params instanceof URLSearchParams ? params : Object.entries(params);
  for (const [name, value] of entries) {
    const list = byName.get(name) ?? [];
    list.push(...(typeof value === 'string' ? [value] : value));
    byName.set(name, list);
  }
  let data = url;
  // Names in code-unit order; a repeated name's values de-duplicated and sorted, as twilio-node does (NOTES §3).
  for (const name of [...byName.keys()].sort()) {
    for (const value of [...new Set(byName.get(name))].sort()) data += name + value;
  }
  return data;
}

/** The signature Twilio sends for a POST to `url` (signed exactly as given) with these form parameters. */
export function signTwilio(authToken: string, url: string, params: TwilioParams = {}): string {
  return createHmac('sha1', authToken).update(twilioData(url, params), 'utf8').digest('base64');
}

const DEFAULT_PORT: Readonly<Record<string, string>> = { 'http:': '80', 'https:': '443' };

/** `url` with its port removed, and with the scheme's default port made explicit (twilio-node's removePort/addPort). */
function portVariants(url: string): string[] {
  // On the raw string first, so the query keeps the exact bytes it arrived with (the WHATWG serializer re-encodes
  // some characters, e.g. `'` to %27, and Twilio signs the URL as configured).
  const m = /^(https?:\/\/(?:[^/?#@]*@)?(?:\[[^\]]*\]|[^/?#:@]*))(?::(\d*))?(.*)$/is.exec(url);
  const out: string[] = [];
  if (m) {
    const [, authority = '', port, rest = ''] = m;
    const scheme = authority.slice(0, authority.indexOf(':') + 1).toLowerCase();
    out.push(authority + rest);
    if (port === undefined || port === '') out.push(`${authority}:${DEFAULT_PORT[scheme] ?? ''}${rest}`);
  }
  try {
    const parsed = new URL(url);
    const { protocol, host, pathname, search, hash } = parsed;
    const withPort = parsed.port
      ? parsed.toString()
      : `${protocol}//${userinfo(parsed)}${host}:${DEFAULT_PORT[protocol] ?? ''}${pathname}${search}${hash}`;
    parsed.port = '';
    out.push(parsed.toString(), withPort);
  } catch {
    // not a URL: only the raw string can match
  }
  return out;
}

const userinfo = (u: URL): string =>
  u.username || u.password ? `${u.username}${u.password ? `:${u.password}` : ''}@` : '';

/** The query re-encoded by node:querystring, as twilio-node's "legacy querystring" variant does. */
function withLegacyQuerystring(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  if (!parsed.search) return url;
  // maxKeys 0 lifts the 1,000-key cap: with it, keys past the cap would be dropped, so padding a signed URL with
  // empty entries and an extra parameter would normalize back to the signed URL and let that parameter pass unsigned.
  const query = parseQueryString(parsed.search.slice(1), '&', '=', { maxKeys: 0 });
  parsed.search = '';
  return `${parsed.toString()}?${stringifyQueryString(query)}`;
}

/** Every URL form Twilio may have signed for `url`: as given, without/with the default port, legacy querystring. */
export function twilioUrlCandidates(url: string): string[] {
  const forms = [url, ...portVariants(url)];
  return [...new Set([...forms, ...forms.map(withLegacyQuerystring)])];
}

/**
 * Verify `X-Twilio-Signature` of a form POST (or of a GET, with no params). `url` is the full public URL Twilio called,
 * query string included; `params` are every POST parameter as received (never whitelisted before verifying).
 */
export function verifyTwilio(authToken: string, url: string, params: TwilioParams, header: HeaderValue): boolean {
  const signature = single(header);
  if (signature === undefined || authToken === '') return false;
  let ok = false;
  // No early exit: every candidate is computed and compared.
  for (const candidate of twilioUrlCandidates(url)) {
    ok = constantTimeEqual(signTwilio(authToken, candidate, params), signature) || ok;
  }
  return ok;
}

/**
 * Verify a Twilio request with a JSON body: the URL's `bodySHA256` query parameter must be hex(SHA-256(rawBody)),
 * and the signature covers the URL alone (no params).
 */
export function verifyTwilioBody(authToken: string, url: string, rawBody: RawBody, header: HeaderValue): boolean {
  let declared: string | null;
  try {
    declared = new URL(url).searchParams.get('bodySHA256');
  } catch {
    return false;
  }
  if (!declared) return false;
  const bodyOk = constantTimeEqual(createHash('sha256').update(bytes(rawBody)).digest('hex'), declared.toLowerCase());
  return verifyTwilio(authToken, url, {}, header) && bodyOk;
}

// ---------------------------------------------------------------------------------------------------------------
// Meta (WhatsApp Cloud API, Messenger, Instagram): X-Hub-Signature-256 = "sha256=" + hex(HMAC-SHA256(appSecret, raw body))

export function signMeta(appSecret: string, rawBody: RawBody): string {
  return `sha256=${createHmac('sha256', appSecret).update(bytes(rawBody)).digest('hex')}`;
}

/** Verify `X-Hub-Signature-256` over the raw body bytes. The legacy `X-Hub-Signature` (sha1) is not accepted. */
export function verifyMeta(appSecret: string, rawBody: RawBody, header: HeaderValue): boolean {
  const signature = single(header);
  if (signature === undefined || appSecret === '') return false;
  return constantTimeEqual(signMeta(appSecret, rawBody), signature);
}

export type MetaHandshakeResult =
  { ok: true; challenge: string } | { ok: false; reason: 'missing' | 'bad_mode' | 'bad_token' | 'bad_challenge' };

type QueryValue = string | readonly string[] | undefined;

/**
 * The GET subscription handshake: `hub.mode=subscribe`, `hub.verify_token` equal to ours, and `hub.challenge`
 * to answer with (HTTP 200, text/plain, the challenge as the whole body). Any other answer is a non-200.
 */
export function metaHandshake(
  query: Readonly<Record<string, QueryValue>> | URLSearchParams,
  verifyToken: string,
): MetaHandshakeResult {
  const get = (name: string): string | undefined => {
    if (query instanceof URLSearchParams)
      return query.getAll(name).length === 1 ? (query.get(name) ?? undefined) : undefined;
    const v = query[name];
    return typeof v === 'string' ? v : undefined;
  };
  const mode = get('hub.mode');
  const token = get('hub.verify_token');
  const challenge = get('hub.challenge');
  if (!mode || !token || !challenge) return { ok: false, reason: 'missing' };
  if (mode !== 'subscribe') return { ok: false, reason: 'bad_mode' };
  if (verifyToken === '' || !constantTimeEqual(token, verifyToken)) return { ok: false, reason: 'bad_token' };
  // Meta sends an int; anything outside a conservative token charset is refused rather than reflected back.
  if (!/^[A-Za-z0-9._~-]{1,256}$/.test(challenge)) return { ok: false, reason: 'bad_challenge' };
  return { ok: true, challenge };
}

// ---------------------------------------------------------------------------------------------------------------
// Slack: X-Slack-Signature = "v0=" + hex(HMAC-SHA256(signingSecret, "v0:{timestamp}:{raw body}")), 5-minute window

/** Slack rejects replays outside this many seconds either side of now (slack_sdk's `60 * 5`). */
export const SLACK_WINDOW_SECONDS = 300;

export type SlackVerifyResult = { ok: true } | { ok: false; reason: 'bad_signature' | 'stale' | 'missing' };

export function signSlack(signingSecret: string, rawBody: RawBody, timestamp: number | string): string {
  const hmac = createHmac('sha256', signingSecret).update(`v0:${timestamp}:`, 'utf8').update(bytes(rawBody));
  return `v0=${hmac.digest('hex')}`;
}

/**
 * Verify a Slack request: the timestamp within ±5 minutes of `nowSec` (Unix seconds; defaults to the clock) first,
 * then the signature, as slack_sdk's SignatureVerifier does. A timestamp that is not a decimal integer is `stale`.
 */
export function verifySlack(
  signingSecret: string,
  rawBody: RawBody,
  timestampHeader: HeaderValue,
  signatureHeader: HeaderValue,
  nowSec: number = Math.floor(Date.now() / 1000),
): SlackVerifyResult {
  const timestamp = single(timestampHeader);
  const signature = single(signatureHeader);
  if (timestamp === undefined || signature === undefined) return { ok: false, reason: 'missing' };
  if (!/^\d{1,15}$/.test(timestamp) || Math.abs(nowSec - Number(timestamp)) > SLACK_WINDOW_SECONDS)
    return { ok: false, reason: 'stale' };
  if (signingSecret === '' || !constantTimeEqual(signSlack(signingSecret, rawBody, timestamp), signature)) {
    return { ok: false, reason: 'bad_signature' };
  }
  return { ok: true };
}

// ---------------------------------------------------------------------------------------------------------------
// HubSpot: X-HubSpot-Signature-v3 = base64(HMAC-SHA256(clientSecret, method + uri + body + timestamp)), where the
// timestamp is X-HubSpot-Request-Timestamp (Unix milliseconds) and the URI has a few URL-encoded characters decoded.
// From HubSpot's "Validating requests" page (developers.hubspot.com/docs/apps/developer-platform/build-apps/
// authentication/request-validation, "Validate the v3 request signature"): reject a timestamp older than 5 minutes,
// decode the table of escapes below in the URI, HMAC the UTF-8 concatenation with the app's client secret, base64 it.
// hubspot-api-nodejs (src/utils/signature.ts) builds the same source string.

/** HubSpot rejects requests whose timestamp is older than this (5 minutes, in milliseconds). */
export const HUBSPOT_WINDOW_MS = 300_000;

/** The escapes HubSpot's page lists as decoded in the request URI before signing (in either hex case). */
const HUBSPOT_DECODED: Readonly<Record<string, string>> = {
  '3A': ':',
  '2F': '/',
  '3F': '?',
  '40': '@',
  '21': '!',
  '24': '$',
  '27': "'",
  '28': '(',
  '29': ')',
  '2A': '*',
  '2C': ',',
  '3B': ';',
};

/** The URI as HubSpot signs it: the listed escapes decoded, every other byte as given. */
export function hubspotSignedUri(uri: string): string {
  return uri.replace(
    /%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi,
    (_, hex: string) => HUBSPOT_DECODED[hex.toUpperCase()]!,
  );
}

export type HubSpotVerifyResult = { ok: true } | { ok: false; reason: 'bad_signature' | 'stale' | 'missing' };

export function signHubSpotV3(
  clientSecret: string,
  method: string,
  uri: string,
  rawBody: RawBody,
  timestamp: number | string,
): string {
  return createHmac('sha256', clientSecret)
    .update(`${method.toUpperCase()}${hubspotSignedUri(uri)}`, 'utf8')
    .update(bytes(rawBody))
    .update(String(timestamp), 'utf8')
    .digest('base64');
}

/**
 * Verify a HubSpot v3 request: the timestamp first (older than 5 minutes is `stale`; so is one more than 5 minutes
 * ahead of `nowMs`, which only a forger or a broken clock sends), then the signature over the public URI HubSpot
 * called (`uri`, exactly as received; the listed escapes are decoded here).
 */
export function verifyHubSpotV3(
  clientSecret: string,
  req: { method: string; uri: string; rawBody: RawBody },
  timestampHeader: HeaderValue,
  signatureHeader: HeaderValue,
  nowMs: number = Date.now(),
): HubSpotVerifyResult {
  const timestamp = single(timestampHeader);
  const signature = single(signatureHeader);
  if (timestamp === undefined || signature === undefined) return { ok: false, reason: 'missing' };
  if (!/^\d{1,15}$/.test(timestamp) || Math.abs(nowMs - Number(timestamp)) > HUBSPOT_WINDOW_MS)
    return { ok: false, reason: 'stale' };
  const expected = signHubSpotV3(clientSecret, req.method, req.uri, req.rawBody, timestamp);
  if (clientSecret === '' || !constantTimeEqual(expected, signature)) return { ok: false, reason: 'bad_signature' };
  return { ok: true };
}

// ---------------------------------------------------------------------------------------------------------------
// Telegram: X-Telegram-Bot-Api-Secret-Token equals the secret_token given to setWebhook (no HMAC)

const TELEGRAM_SECRET = /^[A-Za-z0-9_-]{1,256}$/;

/** setWebhook's `secret_token`: 1-256 characters, only A-Z, a-z, 0-9, `_` and `-`. */
export function isValidTelegramSecret(s: unknown): s is string {
  return typeof s === 'string' && TELEGRAM_SECRET.test(s);
}

/** A fresh random secret_token: base64url is exactly Telegram's allowed alphabet; 64 characters = 384 bits. */
export function newTelegramSecret(length = 64): string {
  if (!Number.isInteger(length) || length < 1 || length > 256)
    throw new RangeError('Telegram secret length must be 1-256');
  return randomBytes(Math.ceil((length * 3) / 4))
    .toString('base64url')
    .slice(0, length);
}

/** Verify `X-Telegram-Bot-Api-Secret-Token`; an invalid configured secret (e.g. empty) never matches. */
export function verifyTelegram(secret: string, header: HeaderValue): boolean {
  const token = single(header);
  return token !== undefined && isValidTelegramSecret(secret) && constantTimeEqual(secret, token);
}

// Web chat account settings (not secret): where the widget may be embedded, and how it looks.
import { Type, rateLimitSetting, type JsonObject } from '../sdk/index.js';

export const DEFAULT_TITLE = 'Chat with us';
export const DEFAULT_COLOR = '#2563eb';
const COLOR = /^#[0-9a-fA-F]{6}$/;

export const webchatSettings = Type.Object({
  allowedOrigins: Type.Optional(
    Type.Array(
      Type.String({ pattern: '^https?://[^/?#\\s]+$', description: 'scheme://host[:port], e.g. https://shop.example' }),
      {
        maxItems: 50,
        uniqueItems: true,
        default: [],
        title: 'Allowed origins',
        description: 'Websites allowed to embed the chat (scheme://host[:port]). Empty: any website.',
      },
    ),
  ),
  title: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 80,
      default: DEFAULT_TITLE,
      title: 'Title',
      description: 'Shown at the top of the chat panel.',
    }),
  ),
  greeting: Type.Optional(
    Type.String({
      maxLength: 500,
      title: 'Greeting',
      description: 'The first message a visitor sees (not stored).',
      'x-ui': { widget: 'textarea' },
    }),
  ),
  color: Type.Optional(
    Type.String({
      pattern: COLOR.source,
      default: DEFAULT_COLOR,
      title: 'Colour',
      description: 'The bubble and header colour, #rrggbb.',
    }),
  ),
  rateLimit: Type.Optional(
    rateLimitSetting('Sends per interval on this account. Default: none (web chat has no provider to protect).'),
  ),
});

/** As read (`readWebchatSettings`): defaults applied, origins normalized, no rate limit. */
export interface WebchatSettings {
  /** Normalized origins (`new URL(o).origin`); empty: any. */
  allowedOrigins: string[];
  title: string;
  greeting?: string;
  color: string;
}

/** An origin as browsers send it (lower-case, no default port), or undefined when it is not an http(s) origin. */
export function normalizeOrigin(value: string): string | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The settings with defaults; values that do not fit the schema fall back to the defaults (settings are stored as
 * given), and origins are normalized. Lenient on purpose, unlike accountReader: a bad colour must not close the chat.
 */
export function readWebchatSettings(settings: JsonObject): WebchatSettings {
  const origins = Array.isArray(settings.allowedOrigins) ? settings.allowedOrigins : [];
  const title =
    typeof settings.title === 'string' && settings.title.trim() !== '' ? settings.title.slice(0, 80) : DEFAULT_TITLE;
  const greeting =
    typeof settings.greeting === 'string' && settings.greeting.trim() !== ''
      ? settings.greeting.slice(0, 500)
      : undefined;
  const color = typeof settings.color === 'string' && COLOR.test(settings.color) ? settings.color : DEFAULT_COLOR;
  return {
    allowedOrigins: origins.flatMap((o) => (typeof o === 'string' ? (normalizeOrigin(o) ?? []) : [])),
    title,
    ...(greeting !== undefined && { greeting }),
    color,
  };
}

/** What the widget shows: no origins, no limits. */
export const widgetConfig = (s: WebchatSettings) => ({
  title: s.title,
  ...(s.greeting !== undefined && { greeting: s.greeting }),
  color: s.color,
});

export type OriginVerdict = 'allowed' | 'refused';

/**
 * Whether a request's `Origin` may use the account. No header (a same-origin GET, or not a browser: the token is what
 * protects the conversation) and the server's own origin (the demo page) are always allowed; with an allow-list, any
 * other origin must be on it. `null` origins (sandboxed frames, file://) are only allowed without a list.
 */
export function checkOrigin(
  settings: WebchatSettings,
  origin: string | readonly string[] | undefined,
  ownOrigin: string,
): OriginVerdict {
  if (origin === undefined) return 'allowed';
  if (typeof origin !== 'string') return 'refused';
  if (settings.allowedOrigins.length === 0) return 'allowed';
  const normalized = normalizeOrigin(origin);
  if (normalized === undefined) return 'refused';
  return normalized === normalizeOrigin(ownOrigin) || settings.allowedOrigins.includes(normalized)
    ? 'allowed'
    : 'refused';
}

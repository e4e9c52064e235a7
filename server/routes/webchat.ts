// /webchat: what a website visitor's browser calls, besides posting messages to the account's gateway URL. No API key:
// a session gives the visitor an id and a token (HMAC of the id under the account's widget secret), and the token
// opens the visitor's own web chat messages, long-polled so flow and agent replies appear live. Browsers on other
// websites may call these (CORS) when the account's allowedOrigins lets them.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ChannelAccount } from '../../connectors/sdk/channel.js';
import type { JsonObject } from '../../connectors/flow/types.js';
import { isWidgetSecret } from '../../connectors/webchat/auth.js';
import {
  checkOrigin,
  readWebchatSettings,
  widgetConfig,
  type WebchatSettings,
} from '../../connectors/webchat/settings.js';
import { checkVisitorToken, newVisitorId, visitorToken } from '../../connectors/webchat/token.js';
import { WIDGET_FILE } from '../../connectors/webchat/widget.js';
import { loadChannelAccount } from '../../prisma/channel-accounts.js';
import { Prisma, type PrismaClient } from '../../prisma/client.js';
import { HttpError, notFound } from '../errors.js';
import { errors } from '../schemas/common.js';
import {
  AccountParams,
  MessagesQuery,
  PreflightParams,
  Session,
  SessionBody,
  VisitorMessages,
} from '../schemas/webchat.js';

const tags = ['web chat'];
/** How often a long poll looks at the database. */
const POLL_EVERY_MS = 500;
/** The most messages one answer carries. */
const PAGE = 100;

export const webchatRoutes: FastifyPluginAsyncTypebox<{ secretKey?: Buffer }> = async (app, opts) => {
  const widget = await readFile(WIDGET_FILE, 'utf8');
  const widgetEtag = `"${createHash('sha256').update(widget).digest('base64url').slice(0, 22)}"`;

  // The widget sends JSON as text/plain: a "simple" request, so browsers send no CORS preflight first.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('text/plain', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));

  // Long polls in progress end when the server closes, instead of holding it open for up to `wait` seconds.
  const polls = new Set<AbortController>();
  app.addHook('preClose', async () => {
    for (const p of polls) p.abort();
  });

  async function webchatAccount(accountId: string): Promise<ChannelAccount> {
    if (!opts.secretKey)
      throw new HttpError(
        503,
        'secrets_unavailable',
        'channel accounts need a secret key: start the server with CONFLUO_SECRET_KEY set',
      );
    const loaded = await loadChannelAccount(app.prisma, opts.secretKey, app.publicUrl, accountId).catch(
      (err: unknown) => {
        app.log.error({ accountId, err: (err as Error).message }, 'channel account unreadable');
        throw new HttpError(503, 'account_unreadable', 'this channel account cannot be read right now');
      },
    );
    if (!loaded || loaded.connector !== 'webchat' || !app.registry.get('webchat')?.channel)
      throw notFound('web chat account');
    return loaded.account;
  }

  const secretOf = (account: ChannelAccount): string => {
    const secret = account.credentials.widgetSecret;
    if (!isWidgetSecret(secret))
      throw new HttpError(
        503,
        'account_not_ready',
        'this web chat account has no widget secret yet: save the account again',
      );
    return secret;
  };

  /** Refuses origins the account does not allow (403); lets allowed ones read the answer, errors included. */
  function allowOrigin(request: FastifyRequest, reply: FastifyReply, settings: WebchatSettings): void {
    void reply.header('vary', 'Origin');
    const origin = request.headers.origin;
    if (checkOrigin(settings, origin, app.publicUrl) === 'refused') {
      throw new HttpError(
        403,
        'origin_not_allowed',
        "this website is not allowed to use this chat (the account's allowedOrigins)",
      );
    }
    if (typeof origin === 'string') void reply.header('access-control-allow-origin', origin);
  }

  function checkToken(secret: string, visitorId: string, token: string | undefined): void {
    if (!checkVisitorToken(secret, visitorId, token))
      throw new HttpError(
        401,
        'token_invalid',
        'the visitor token is missing or does not match the visitor id: start a new session',
      );
  }

  app.get(
    '/widget.js',
    { schema: { tags, summary: 'The embeddable chat widget', security: [], hide: true } },
    async (request, reply) => {
      void reply
        .header('cache-control', 'public, max-age=300')
        .header('etag', widgetEtag)
        .header('x-content-type-options', 'nosniff');
      if (request.headers['if-none-match'] === widgetEtag) return reply.code(304).send();
      return reply.type('text/javascript; charset=utf-8').send(widget);
    },
  );

  app.options('/:accountId/:endpoint', { schema: { hide: true, params: PreflightParams } }, async (request, reply) => {
    // A preflight: only the settings matter, so no credentials are decrypted for it.
    const row = await app.prisma.channelAccount.findUnique({
      where: { id: request.params.accountId },
      select: { connector: true, settings: true },
    });
    if (row?.connector !== 'webchat') throw notFound('web chat account');
    allowOrigin(request, reply, readWebchatSettings((row.settings ?? {}) as JsonObject));
    return reply
      .code(204)
      .header('access-control-allow-methods', 'GET, POST')
      .header('access-control-allow-headers', 'content-type')
      .header('access-control-max-age', '600')
      .send();
  });

  app.post(
    '/:accountId/sessions',
    {
      bodyLimit: 16 * 1024,
      schema: {
        tags,
        summary: 'Start a visitor session, or continue one',
        description:
          "Without `visitorId`: a new visitor id and its token. With `visitorId` and its `token`: the same pair again (a returning visitor), 401 when the token does not match. Always the widget's config.",
        security: [],
        params: AccountParams,
        body: SessionBody,
        response: { 200: Session, ...errors(400, 401, 403, 404, 413, 415, 503) },
      },
    },
    async (request, reply) => {
      const account = await webchatAccount(request.params.accountId);
      const settings = readWebchatSettings(account.settings);
      allowOrigin(request, reply, settings);
      const secret = secretOf(account);
      const config = widgetConfig(settings);
      const { visitorId, token } = request.body;
      // Only a holder of the token continues a visitor: a leaked visitor id (it is shown to agents) opens nothing.
      if (visitorId === undefined) {
        const id = newVisitorId();
        return { visitorId: id, token: visitorToken(secret, id), config };
      }
      checkToken(secret, visitorId, token);
      return { visitorId, token: token!, config };
    },
  );

  app.get(
    '/:accountId/messages',
    {
      schema: {
        tags,
        summary: "The visitor's web chat messages, both directions, oldest first",
        description:
          "Without `after`: the latest 100. With `after` (the previous answer's `cursor`, or a message id): only newer ones, waiting up to `wait` seconds for one to arrive (a long poll).",
        security: [],
        params: AccountParams,
        querystring: MessagesQuery,
        response: { 200: VisitorMessages, ...errors(400, 401, 403, 404, 503) },
      },
    },
    async (request, reply) => {
      const account = await webchatAccount(request.params.accountId);
      allowOrigin(request, reply, readWebchatSettings(account.settings));
      const { visitorId, token, after, wait = 0 } = request.query;
      checkToken(secretOf(account), visitorId, token);
      void reply.header('cache-control', 'no-store');
      const visitor = { accountId: account.id, visitorId };
      let position = after === undefined ? undefined : await decodePosition(app.prisma, visitor, after);

      const stop = new AbortController();
      const onClose = () => stop.abort();
      reply.raw.once('close', onClose);
      polls.add(stop);
      try {
        const deadline = Date.now() + wait * 1000;
        for (;;) {
          const page = await readMessages(app.prisma, visitor, position);
          if (page.messages.length > 0 || position === undefined || Date.now() >= deadline || stop.signal.aborted) {
            return { messages: page.messages, cursor: encodeCursor(page.position) };
          }
          position = page.position;
          await sleep(Math.min(POLL_EVERY_MS, deadline - Date.now()), undefined, { signal: stop.signal }).catch(
            () => undefined,
          );
        }
      } finally {
        reply.raw.off('close', onClose);
        polls.delete(stop);
      }
    },
  );

  app.get(
    '/:accountId/demo',
    {
      schema: {
        tags,
        summary: 'A page embedding the widget, to try the chat',
        security: [],
        params: AccountParams,
        hide: true,
      },
    },
    async (request, reply) => {
      const account = await webchatAccount(request.params.accountId);
      const { title } = readWebchatSettings(account.settings);
      // No inline script: the page works under a CSP as strict as the widget allows (its styles are inline).
      return reply
        .type('text/html; charset=utf-8')
        .header(
          'content-security-policy',
          "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'",
        )
        .header('cache-control', 'no-store')
        .send(demoPage(app.publicUrl, account.id, title));
    },
  );
};

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function demoPage(publicUrl: string, accountId: string, title: string): string {
  const id = escapeHtml(accountId);
  const snippet = `<script src="${publicUrl}/webchat/widget.js" data-account="${accountId}" async></script>`;
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)} · web chat demo</title></head>
<body style="font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; color: #1f2937">
<h1>${escapeHtml(title)}</h1>
<p>This page embeds the web chat of channel account <code>${id}</code>. Open the bubble at the bottom right and write: flows listening on <code>channel.message</code> for <code>webchat</code> answer, and so do agents from the inbox.</p>
<p>To put it on your website, add this before <code>&lt;/body&gt;</code>:</p>
<pre style="background: #f3f4f6; padding: 1rem; overflow-x: auto">${escapeHtml(snippet)}</pre>
<script src="../widget.js" data-account="${id}" async></script>
</body>
</html>
`;
}

// --- The visitor's messages -----------------------------------------------------------------------------------------
// The visitor sees the messages of this account addressed from or to their webchat identity, whatever contact they
// are filed under (a visitor who gives an email joins that contact; its other channels' history is not theirs to read,
// and the email is not verified). Outbound messages count once sent (not while `pending`, nor `failed`).
//
// "New since last time" is keyed by when a message became visible: its insert (in) or its send (out: `sent_at` is set
// when the send completes, `created_at` when it began). Rows do not become visible in that order (a send that waited
// for its rate limit, a transaction committing late, two clocks), so the cursor keeps a window: the watermark `t` and
// the ids already returned within LAG_MS before it. A late row inside the window is still returned, once.

const LAG_MS = 10_000;
const CURSOR_PREFIX = 'c1.';

interface Visitor {
  accountId: string;
  visitorId: string;
}

interface Row {
  id: string;
  direction: 'in' | 'out';
  text: string | null;
  providerMessageId: string | null;
  sentAt: Date;
  at: Date;
}

export interface Position {
  /** Watermark: epoch ms of the latest visibility returned. */
  t: number;
  /** Ids already returned whose visibility is within LAG_MS before `t`. */
  seen: Set<string>;
}

const VISIBLE_AT = Prisma.sql`(CASE WHEN direction = 'in' THEN created_at ELSE sent_at END)`;

function visibleRows(
  prisma: PrismaClient,
  v: Visitor,
  where: Prisma.Sql,
  order: 'asc' | 'desc',
  limit: number,
): Promise<Row[]> {
  const address = JSON.stringify({ kind: 'webchat', value: v.visitorId });
  const direction = order === 'asc' ? Prisma.sql`ASC` : Prisma.sql`DESC`;
  return prisma.$queryRaw<Row[]>`
    SELECT id, direction, text, provider_message_id AS "providerMessageId", sent_at AS "sentAt", ${VISIBLE_AT} AS at
    FROM messages
    WHERE account_id = ${v.accountId} AND address @> ${address}::jsonb
      AND (direction = 'in' OR status NOT IN ('pending', 'failed'))
      AND ${where}
    ORDER BY at ${direction}, id ${direction}
    LIMIT ${limit}`;
}

const badAfter = (message: string) =>
  new HttpError(400, 'validation_failed', 'the request is not valid', [
    { path: '/query/after', code: 'cursor', message },
  ]);

export const encodeCursor = (p: Position) =>
  CURSOR_PREFIX + Buffer.from(JSON.stringify([p.t, [...p.seen]])).toString('base64url');

/** `after` as a position: a cursor from this API, or the id of one of the visitor's messages (everything up to it is seen). */
export async function decodePosition(prisma: PrismaClient, v: Visitor, after: string): Promise<Position> {
  if (after.startsWith(CURSOR_PREFIX)) {
    try {
      const [t, seen] = JSON.parse(Buffer.from(after.slice(CURSOR_PREFIX.length), 'base64url').toString()) as [
        unknown,
        unknown,
      ];
      if (
        typeof t === 'number' &&
        Number.isFinite(t) &&
        Array.isArray(seen) &&
        seen.every((id) => typeof id === 'string')
      )
        return { t, seen: new Set(seen as string[]) };
    } catch {
      // falls through to the 400
    }
    throw badAfter('not a cursor from this API');
  }
  const [message] = await visibleRows(prisma, v, Prisma.sql`id = ${after}`, 'asc', 1);
  if (!message) throw badAfter("not the id of one of this visitor's messages");
  const t = message.at.getTime();
  const window = await visibleRows(
    prisma,
    v,
    Prisma.sql`${VISIBLE_AT} > ${new Date(t - LAG_MS)} AND ${VISIBLE_AT} <= ${message.at}`,
    'asc',
    1000,
  );
  return { t, seen: new Set(window.filter((r) => r.at.getTime() < t || r.id <= message.id).map((r) => r.id)) };
}

/** The messages after `position` (or the latest page without one), and the position after them. */
export async function readMessages(prisma: PrismaClient, v: Visitor, position: Position | undefined) {
  let fresh: Row[];
  let window: Row[];
  let t: number;
  if (!position) {
    fresh = (await visibleRows(prisma, v, Prisma.sql`TRUE`, 'desc', PAGE)).reverse();
    t = fresh.at(-1)?.at.getTime() ?? 0;
    window = fresh;
  } else {
    window = await visibleRows(
      prisma,
      v,
      Prisma.sql`${VISIBLE_AT} > ${new Date(position.t - LAG_MS)}`,
      'asc',
      PAGE + position.seen.size,
    );
    fresh = window.filter((r) => !position.seen.has(r.id)).slice(0, PAGE);
    t = Math.max(position.t, ...fresh.map((r) => r.at.getTime()));
  }
  const returned = new Set(fresh.map((r) => r.id));
  const seen = new Set(
    window
      .filter((r) => r.at.getTime() > t - LAG_MS && (returned.has(r.id) || position?.seen.has(r.id)))
      .map((r) => r.id),
  );
  return {
    messages: fresh.map((r) => ({
      id: r.id,
      direction: r.direction,
      text: r.text,
      sentAt: r.sentAt.toISOString(),
      // The widget matches its own messages by the id it gave them (`<visitorId>:<clientMessageId>`).
      ...(r.direction === 'in' &&
        r.providerMessageId?.includes(':') && {
          clientMessageId: r.providerMessageId.slice(r.providerMessageId.indexOf(':') + 1),
        }),
    })),
    position: { t, seen } satisfies Position,
  };
}

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
import { AccountUnavailable, createChannelAccountStore } from '../../prisma/channel-accounts.js';
import { createVisitorMessages, encodeVisitorCursor, VisitorCursorError } from '../../prisma/conversations.js';
import { accountUnavailable, httpErrors } from '../errors.js';
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

  const accounts = createChannelAccountStore(app.prisma, {
    secretKey: opts.secretKey,
    publicUrl: app.publicUrl,
    registry: app.registry,
  });
  const visitorMessages = createVisitorMessages(app.prisma);

  async function webchatAccount(accountId: string): Promise<ChannelAccount> {
    const opened = await accounts.open(accountId, { connector: 'webchat' }).catch((err: unknown) => {
      if (!(err instanceof AccountUnavailable)) throw err;
      if (err.reason === 'unreadable') app.log.error({ accountId, err: err.message }, 'channel account unreadable');
      throw accountUnavailable(err, 'web chat account');
    });
    return opened.account;
  }

  const secretOf = (account: ChannelAccount): string => {
    const secret = account.credentials.widgetSecret;
    if (!isWidgetSecret(secret)) throw httpErrors.accountNotReady();
    return secret;
  };

  /** Refuses origins the account does not allow (403); lets allowed ones read the answer, errors included. */
  function allowOrigin(request: FastifyRequest, reply: FastifyReply, settings: WebchatSettings): void {
    void reply.header('vary', 'Origin');
    const origin = request.headers.origin;
    if (checkOrigin(settings, origin, app.publicUrl) === 'refused') throw httpErrors.originNotAllowed();
    if (typeof origin === 'string') void reply.header('access-control-allow-origin', origin);
  }

  function checkToken(secret: string, visitorId: string, token: string | undefined): void {
    if (!checkVisitorToken(secret, visitorId, token)) throw httpErrors.tokenInvalid();
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
    const row = await accounts.settingsOf(request.params.accountId);
    if (row?.connector !== 'webchat') throw httpErrors.notFound('web chat account');
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
      let position =
        after === undefined
          ? undefined
          : await visitorMessages.decodePosition(visitor, after).catch((err: unknown) => {
              if (err instanceof VisitorCursorError) throw httpErrors.badQuery('after', 'cursor', err.message);
              throw err;
            });

      const stop = new AbortController();
      const onClose = () => stop.abort();
      reply.raw.once('close', onClose);
      polls.add(stop);
      try {
        const deadline = Date.now() + wait * 1000;
        for (;;) {
          const page = await visitorMessages.read(visitor, position);
          if (page.messages.length > 0 || position === undefined || Date.now() >= deadline || stop.signal.aborted) {
            return { messages: page.messages, cursor: encodeVisitorCursor(page.position) };
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

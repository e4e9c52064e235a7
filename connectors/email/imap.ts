// Inbound mail by IMAP polling. Each poll opens one connection, EXAMINEs the mailbox (read-only: Confluo never marks
// mail as seen or moves it), fetches up to one batch of messages with a UID above the cursor, and returns their events
// with the new cursor `{ uidValidity, uid }`. A huge backlog therefore catches up over several polls.
import { ImapFlow, type ImapFlowError } from 'imapflow';
import type { JsonValue } from '../flow/types.js';
import { ConnectorError, guardedAddress, type ChannelEvent, type PollContext } from '../sdk/index.js';
import { readEmailAuth } from './auth.js';
import { toEvent, type FetchedMessage } from './parse.js';
import { readEmailSettings, type EmailSettings } from './settings.js';
import type { Timeouts } from './smtp.js';

export interface EmailCursor {
  uidValidity: number;
  uid: number;
}

export interface PollOptions {
  /** Messages per poll. */
  batchSize: number;
  /** Bytes of a message read for its text; larger messages are parsed from their first bytes (attachments come from BODYSTRUCTURE). */
  maxSourceBytes: number;
  timeouts: Timeouts;
}

/** After a UIDVALIDITY change, mail from this far back is fetched again (Message-ID dedupe absorbs the overlap). */
export const RESYNC_WINDOW_MS = 24 * 3_600_000;

export function parseCursor(cursor: JsonValue | null): EmailCursor | undefined {
  if (typeof cursor !== 'object' || cursor === null || Array.isArray(cursor)) return undefined;
  const { uidValidity, uid } = cursor;
  return Number.isSafeInteger(uidValidity) && Number.isSafeInteger(uid) && (uid as number) >= 0
    ? { uidValidity: uidValidity as number, uid: uid as number }
    : undefined;
}

export async function pollMailbox(
  ctx: PollContext,
  cursor: JsonValue | null,
  opts: PollOptions,
): Promise<{ events: ChannelEvent[]; cursor: JsonValue }> {
  const settings = readEmailSettings(ctx.account);
  const { imap } = readEmailAuth(ctx.account);
  if (!imap) return { events: [], cursor }; // a send-only account
  if (cursor !== null && !parseCursor(cursor))
    ctx.logger.warn({ accountId: ctx.account.id }, 'ignoring an unreadable email poll cursor');
  const server = `${imap.host}:${imap.port}`;
  // The outbound guard: no internal address unless the operator allowed it (the host's name stays the TLS name).
  const { address, servername } = await guardedAddress(imap.host, imap.port);
  const client = new ImapFlow({
    host: address,
    ...(servername && { servername }),
    port: imap.port,
    secure: imap.secure,
    auth: { user: imap.user, pass: imap.pass },
    tls: { rejectUnauthorized: settings.tls.rejectUnauthorized },
    logger: false,
    disableAutoIdle: true,
    connectionTimeout: opts.timeouts.connectMs,
    greetingTimeout: opts.timeouts.greetingMs,
    socketTimeout: opts.timeouts.socketMs,
  });
  // Without a listener, a socket error after connect would be an uncaught 'error' event and take the worker down.
  client.on('error', (err: Error) =>
    ctx.logger.warn({ accountId: ctx.account.id, server, error: err.message }, 'IMAP connection error'),
  );
  const abort = () => client.close();
  ctx.signal.addEventListener('abort', abort, { once: true });
  try {
    if (ctx.signal.aborted) throw Object.assign(new Error('aborted'), { code: 'ABORTED' });
    await client.connect();
    const lock = await client.getMailboxLock(settings.mailbox, { readOnly: true });
    let fetched: FetchedMessage[];
    let next: EmailCursor;
    try {
      ({ fetched, next } = await fetchBatch(client, settings, parseCursor(cursor), opts, ctx));
    } finally {
      lock.release();
    }
    await client.logout().catch(() => undefined);
    const events: ChannelEvent[] = [];
    for (const msg of fetched) {
      // One unparseable message must not stall the mailbox: the cursor moves past it, and the log says which it was.
      const event = await toEvent(msg, settings.fromAddress, ctx.logger).catch((err: unknown) => {
        ctx.logger.error(
          {
            accountId: ctx.account.id,
            mailbox: msg.mailbox,
            uidValidity: msg.uidValidity,
            uid: msg.uid,
            error: String(err),
          },
          'skipping a message that does not parse',
        );
        return undefined;
      });
      if (event) events.push(event);
    }
    return { events, cursor: { uidValidity: next.uidValidity, uid: next.uid } };
  } catch (err) {
    throw imapError(err as ImapFlowError, server, settings.mailbox, ctx.signal);
  } finally {
    ctx.signal.removeEventListener('abort', abort);
    client.close();
  }
}

async function fetchBatch(
  client: ImapFlow,
  settings: EmailSettings,
  prev: EmailCursor | undefined,
  opts: PollOptions,
  ctx: PollContext,
) {
  const box = client.mailbox;
  if (!box) throw new Error(`mailbox ${settings.mailbox} is not open`);
  const uidValidity = Number(box.uidValidity);
  const end = Number.isSafeInteger(box.uidNext)
    ? Math.max(0, box.uidNext - 1)
    : ((await client.search({ all: true }, { uid: true })) || []).reduce((a, b) => Math.max(a, b), 0);
  let after: number;
  if (prev && prev.uidValidity === uidValidity) after = prev.uid;
  // The first poll sets the baseline: unless asked for everything, mail already there is history, not news.
  else if (!prev) after = settings.initialSync === 'all' ? 0 : end;
  else {
    // The server renumbered the mailbox, so the old UID means nothing. Re-read the last day's mail (or everything,
    // with initialSync "all") rather than lose what arrived since the last poll; Message-IDs are the dedupe keys,
    // so repeats start nothing new.
    if (settings.initialSync === 'all') after = 0;
    else {
      const recent = (await client.search({ since: new Date(Date.now() - RESYNC_WINDOW_MS) }, { uid: true })) || [];
      after = recent.length > 0 ? recent.reduce((a, b) => Math.min(a, b)) - 1 : end;
    }
    ctx.logger.warn(
      {
        accountId: ctx.account.id,
        mailbox: settings.mailbox,
        was: prev.uidValidity,
        now: uidValidity,
        resumeAfterUid: after,
      },
      'UIDVALIDITY changed: the mailbox was renumbered; re-reading recent mail',
    );
  }
  // `n:*` also matches the highest UID when it is below n (RFC 3501), hence the filter.
  const found = (await client.search({ uid: `${after + 1}:*` }, { uid: true })) || [];
  const uids = found
    .filter((u) => u > after)
    .sort((a, b) => a - b)
    .slice(0, opts.batchSize);
  const fetched: FetchedMessage[] = [];
  if (uids.length > 0) {
    const query = {
      uid: true,
      internalDate: true,
      size: true,
      bodyStructure: true,
      source: { maxLength: opts.maxSourceBytes },
    };
    for await (const m of client.fetch(uids.join(','), query, { uid: true })) {
      if (!m.source) continue;
      fetched.push({
        mailbox: settings.mailbox,
        uidValidity,
        uid: m.uid,
        source: m.source,
        truncated: (m.size ?? 0) > m.source.length,
        ...(m.internalDate !== undefined && { internalDate: new Date(m.internalDate) }),
        ...(m.bodyStructure !== undefined && { bodyStructure: m.bodyStructure }),
      });
    }
    fetched.sort((a, b) => a.uid - b.uid);
  }
  return { fetched, next: { uidValidity, uid: uids.at(-1) ?? after } };
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS|ERR_SSL/;

export function imapError(e: ImapFlowError, server: string, mailbox: string, signal?: AbortSignal): ConnectorError {
  if (e instanceof ConnectorError) return e;
  const said = e.responseText ?? e.message;
  const details = {
    server,
    ...(e.code !== undefined && { errorCode: e.code }),
    ...(e.serverResponseCode !== undefined && { serverResponseCode: e.serverResponseCode }),
  };
  const opts = (code: string, retryable: boolean) => ({ code, retryable, details, cause: e });
  if (signal?.aborted) return new ConnectorError('upstream', `polling ${server} was cancelled`, opts('ABORTED', true));
  if (e.authenticationFailed)
    return new ConnectorError(
      'auth',
      `${server} rejected the IMAP credentials: ${said}`,
      opts('IMAP_AUTH_FAILED', false),
    );
  if (e.mailboxMissing || e.serverResponseCode === 'NONEXISTENT')
    return new ConnectorError(
      'config',
      `mailbox ${JSON.stringify(mailbox)} does not exist on ${server}`,
      opts('MAILBOX_NOT_FOUND', false),
    );
  if (e.tlsFailed || (e.code !== undefined && TLS_CODES.test(e.code)))
    return new ConnectorError(
      'config',
      `TLS with ${server} failed: ${said} (set tls.rejectUnauthorized false only for a self-signed test server)`,
      opts(e.code ?? 'ETLS', false),
    );
  if (e.code === 'ETHROTTLE')
    return new ConnectorError('rate_limited', `${server} is throttling: ${said}`, {
      ...opts('ETHROTTLE', true),
      ...(e.throttleReset !== undefined && { retryAfterMs: e.throttleReset }),
    });
  return new ConnectorError('upstream', `polling ${server} failed: ${said}`, opts(e.code ?? 'IMAP_ERROR', true));
}

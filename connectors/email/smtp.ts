// Sending: composes the message (threading headers, a Message-ID derived from the step's idempotency key) and hands
// it to a nodemailer SMTP transport, one connection per send. SMTP failures become ConnectorErrors by reply code.
import nodemailer, { type NodemailerError, type SendMailOptions } from 'nodemailer';
import type { JsonValue } from '../flow/types.js';
import { normalizeEmail } from '../contacts/normalize.js';
import {
  ConnectorError,
  guardedAddress,
  type OutboundMessage,
  type SendContext,
  type SendResult,
} from '../sdk/index.js';
import { readEmailAuth } from './auth.js';
import { messageIdFor, messageIdsIn, normalizeMessageId, replySubject } from './headers.js';
import { readEmailSettings, type EmailSettings } from './settings.js';

export interface Timeouts {
  connectMs: number;
  greetingMs: number;
  socketMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { connectMs: 30_000, greetingMs: 30_000, socketMs: 120_000 };

const invalid = (field: string, message: string) =>
  new ConnectorError('validation', `${field}: ${message}`, {
    code: 'INPUT_INVALID',
    retryable: false,
    details: { field },
  });

const strings = (v: unknown): string[] =>
  typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

/** The nodemailer message for an outbound message; throws validation errors for what no retry can fix. */
export function composeMail(
  settings: EmailSettings,
  message: OutboundMessage,
  idempotencyKey: string,
): SendMailOptions & { messageId: string; to: string } {
  if (message.to.kind !== 'email')
    throw invalid('to', `email sends to an email address, not a ${message.to.kind} identity`);
  const to = normalizeEmail(message.to.value, 'to');
  const text = message.text?.trim() ? message.text : undefined;
  const html = message.html?.trim() ? message.html : undefined;
  if (text === undefined && html === undefined) throw invalid('text', 'an email needs text or html');
  if (message.attachments?.length) throw invalid('attachments', 'email attachments are not supported yet');

  const thread = message.thread;
  const threadSubject =
    typeof thread?.extra?.subject === 'string' && thread.extra.subject.trim() ? thread.extra.subject : undefined;
  const subject = message.subject?.trim()
    ? message.subject.trim()
    : threadSubject !== undefined
      ? replySubject(threadSubject)
      : undefined;
  if (subject === undefined)
    throw invalid('subject', 'an email needs a subject (a reply takes "Re: " + the thread\'s subject)');

  let inReplyTo: string | undefined;
  if (thread?.inReplyTo !== undefined) {
    inReplyTo = normalizeMessageId(thread.inReplyTo);
    if (inReplyTo === undefined) throw invalid('inReplyTo', `${JSON.stringify(thread.inReplyTo)} is not a Message-ID`);
  }
  const references = strings(thread?.extra?.references).map((r) => {
    const id = normalizeMessageId(r) ?? messageIdsIn(r)[0];
    if (id === undefined) throw invalid('references', `${JSON.stringify(r)} is not a Message-ID`);
    return id;
  });
  // A thread known only by its root (no References kept) still links to it.
  const root = thread?.id !== undefined ? normalizeMessageId(thread.id) : undefined;
  if (references.length === 0 && root !== undefined && root !== inReplyTo) references.push(root);
  if (inReplyTo !== undefined) references.push(inReplyTo);
  const chain = [...new Set(references)];

  return {
    from: settings.from,
    to,
    envelope: { from: settings.fromAddress, to: [to] },
    subject,
    messageId: messageIdFor(idempotencyKey, settings.fromDomain),
    ...(text !== undefined && { text }),
    ...(html !== undefined && { html }),
    ...(inReplyTo !== undefined && { inReplyTo }),
    ...(chain.length > 0 && { references: chain }),
  };
}

export async function sendEmail(ctx: SendContext, message: OutboundMessage, timeouts: Timeouts): Promise<SendResult> {
  const settings = readEmailSettings(ctx.account);
  const { smtp } = readEmailAuth(ctx.account);
  const mail = composeMail(settings, message, ctx.idempotencyKey);
  // The outbound guard: no internal address unless the operator allowed it (the host's name stays the TLS name).
  const { address, servername } = await guardedAddress(smtp.host, smtp.port);
  const transport = nodemailer.createTransport({
    host: address,
    port: smtp.port,
    secure: smtp.secure,
    ...(smtp.user !== undefined && { auth: { user: smtp.user, pass: smtp.pass ?? '' } }),
    tls: { rejectUnauthorized: settings.tls.rejectUnauthorized, ...(servername && { servername }) },
    connectionTimeout: timeouts.connectMs,
    greetingTimeout: timeouts.greetingMs,
    socketTimeout: timeouts.socketMs,
    // Flow content must never make the worker read files or fetch URLs.
    disableFileAccess: true,
    disableUrlAccess: true,
    logger: false,
  });
  try {
    const info = await transport.sendMail({ ...mail, signal: ctx.signal });
    const provider: JsonValue = {
      messageId: mail.messageId,
      response: info.response,
      accepted: info.accepted.map(String),
      rejected: info.rejected.map(String),
    };
    return { providerMessageId: mail.messageId, status: 'sent', provider };
  } catch (err) {
    throw smtpError(err as NodemailerError, `${smtp.host}:${smtp.port}`, ctx.signal);
  } finally {
    transport.close();
  }
}

const EXCERPT_MAX = 300;
const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS|ERR_SSL/;

/** Reply codes decide first: 4xx may pass later, 535 is the credentials, 550/551 the mailbox, other 5xx the message. */
export function smtpError(e: NodemailerError, server: string, signal?: AbortSignal): ConnectorError {
  const status = e.responseCode;
  const response = e.response?.trim().slice(0, EXCERPT_MAX);
  const details: JsonValue = {
    server,
    ...(status !== undefined && { responseCode: status }),
    ...(e.command !== undefined && { command: e.command.split(' ')[0]! }),
    ...(response && { response }),
    ...(e.code !== undefined && { errorCode: e.code }),
  };
  const said = response ? `: ${response}` : e.message ? `: ${e.message}` : '';
  const make = (
    kind: ConstructorParameters<typeof ConnectorError>[0],
    message: string,
    code: string,
    retryable: boolean,
  ) => new ConnectorError(kind, `${message}${said}`, { code, retryable, details, cause: e });

  if (e.code === 'EABORT' || e.name === 'AbortError' || signal?.aborted)
    return make('upstream', `sending through ${server} was cancelled`, 'ABORTED', true);
  if (status !== undefined && status >= 400 && status < 500)
    return make('upstream', `${server} deferred the message (SMTP ${status})`, `SMTP_${status}`, true);
  if (
    status === 530 ||
    status === 534 ||
    status === 535 ||
    (e.code === 'EAUTH' && (status === undefined || status >= 500))
  )
    return make(
      'auth',
      `${server} rejected the SMTP credentials${status ? ` (SMTP ${status})` : ''}`,
      status ? `SMTP_${status}` : 'SMTP_AUTH',
      false,
    );
  if (status === 550 || status === 551)
    return make(
      'not_found',
      `${server}: the recipient's mailbox is unavailable (SMTP ${status})`,
      `SMTP_${status}`,
      false,
    );
  if (status === 503) return make('upstream', `${server} answered SMTP 503 (bad sequence)`, 'SMTP_503', true);
  if (status !== undefined && status >= 500)
    return make('validation', `${server} refused the message (SMTP ${status})`, `SMTP_${status}`, false);
  if (e.code === 'ENOAUTH' || e.code === 'ECONFIG')
    return make('config', `the SMTP settings for ${server} are incomplete`, e.code, false);
  const tlsCode = [e.code, e.originalCode].find((c) => c !== undefined && TLS_CODES.test(c));
  if (tlsCode !== undefined || e.code === 'ETLS')
    return make(
      'config',
      `TLS with ${server} failed (set tls.rejectUnauthorized false only for a self-signed test server)`,
      tlsCode ?? 'ETLS',
      false,
    );
  if (e.code === 'EENVELOPE') return make('validation', `the message's envelope was refused`, 'EENVELOPE', false);
  return make('upstream', `sending through ${server} failed`, e.code ?? 'SMTP_ERROR', true);
}

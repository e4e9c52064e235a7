// channel.send for Telegram: sendMessage to the chat in `to.value`, as a reply when the thread names the message.
import type { JsonObject } from '../flow/types.js';
import { ConnectorError, type OutboundMessage, type SendContext, type SendResult } from '../sdk/index.js';
import { callTelegram } from './client.js';

/** sendMessage options a flow may pass in `payload` (Bot API field names); chat_id, text and replies are ours. */
export const PAYLOAD_OPTIONS = [
  'parse_mode',
  'entities',
  'link_preview_options',
  'disable_notification',
  'protect_content',
  'reply_markup',
  'message_thread_id',
] as const;

const invalid = (message: string, field: string) =>
  new ConnectorError('validation', message, { code: 'INPUT_INVALID', details: { field } });

/** A numeric chat id as the Bot API's Integer; a public `@username` as is. */
export function chatIdParam(value: string): number | string {
  if (/^-?\d{1,16}$/.test(value) && Number.isSafeInteger(Number(value))) return Number(value);
  if (/^@[A-Za-z0-9_]{4,32}$/.test(value)) return value;
  throw invalid(`a Telegram chat is a numeric chat id or @username, got ${JSON.stringify(value)}`, 'to.value');
}

/**
 * `reply_parameters` for thread.inReplyTo: a message id, or a providerMessageId `<chat id>:<message id>` (as inbound
 * messages carry). A message of another chat is named with its chat_id.
 */
export function replyParameters(inReplyTo: string, chatId: number | string): JsonObject {
  const m = /^(?:(-?\d+):)?(\d+)$/.exec(inReplyTo);
  if (!m)
    throw invalid(
      `thread.inReplyTo must be a Telegram message id or <chat id>:<message id>, got ${JSON.stringify(inReplyTo)}`,
      'thread.inReplyTo',
    );
  const [, chat, id] = m;
  const params: JsonObject = { message_id: Number(id) };
  if (chat !== undefined && chat !== String(chatId)) params.chat_id = Number(chat);
  // Still send when the original was deleted meanwhile: the answer matters more than the quote.
  params.allow_sending_without_reply = true;
  return params;
}

export function sendMessageParams(message: OutboundMessage): JsonObject {
  if (message.to.kind !== 'telegram')
    throw invalid(`Telegram sends to telegram chat ids, not ${message.to.kind}`, 'to.kind');
  if (message.attachments?.length)
    throw new ConnectorError('validation', 'the Telegram connector sends text only; attachments are not supported', {
      code: 'ATTACHMENTS_UNSUPPORTED',
    });
  const text = message.text;
  if (typeof text !== 'string' || text.trim() === '') throw invalid('a Telegram message needs text', 'text');
  const chatId = chatIdParam(message.to.value);
  const params: JsonObject = { chat_id: chatId, text };
  const thread = message.thread;
  // A forum topic is kept when answering in the chat it belongs to.
  const topic = thread?.extra?.messageThreadId;
  if (typeof topic === 'number' && Number.isSafeInteger(topic) && thread?.id === String(chatId))
    params.message_thread_id = topic;
  if (thread?.inReplyTo) params.reply_parameters = replyParameters(thread.inReplyTo, chatId);
  for (const [key, value] of Object.entries(message.payload ?? {})) {
    if (!(PAYLOAD_OPTIONS as readonly string[]).includes(key)) {
      throw invalid(
        `payload.${key} is not a sendMessage option Confluo passes on (allowed: ${PAYLOAD_OPTIONS.join(', ')})`,
        `payload.${key}`,
      );
    }
    params[key] = value;
  }
  return params;
}

interface SentTelegramMessage {
  message_id: number;
  date: number;
  chat: { id: number };
}

export async function sendTelegram(ctx: SendContext, message: OutboundMessage): Promise<SendResult> {
  const sent = await callTelegram<SentTelegramMessage>(
    ctx.account,
    'sendMessage',
    sendMessageParams(message),
    ctx.signal,
  );
  if (!Number.isSafeInteger(sent?.message_id) || !Number.isSafeInteger(sent?.chat?.id)) {
    throw new ConnectorError('upstream', 'Telegram sendMessage answered without message_id and chat.id', {
      code: 'BAD_RESPONSE',
    });
  }
  return {
    providerMessageId: `${sent.chat.id}:${sent.message_id}`,
    status: 'sent',
    provider: { chatId: sent.chat.id, messageId: sent.message_id, date: sent.date },
  };
}

// channel.send for web chat: there is no provider. The platform has recorded the message before calling this, and the
// visitor's page reads it from the database (GET /webchat/:accountId/messages), so sending is only checking it is
// something the widget can show and naming it. The id is derived from the step's idempotency key: a retried step
// names the same message.
import { createHash } from 'node:crypto';
import { ConnectorError, type OutboundMessage, type SendContext, type SendResult } from '../sdk/index.js';
import { MAX_TEXT } from './inbound.js';
import { isVisitorId } from './token.js';

const invalid = (message: string, field: string) =>
  new ConnectorError('validation', message, { code: 'INPUT_INVALID', retryable: false, details: { field } });

export const providerMessageIdFor = (idempotencyKey: string) =>
  `wc_${createHash('sha256').update(idempotencyKey, 'utf8').digest('hex').slice(0, 32)}`;

export function checkOutbound(message: OutboundMessage): void {
  if (message.to.kind !== 'webchat')
    throw invalid(`web chat sends to webchat visitor ids, not ${message.to.kind}`, 'to.kind');
  if (!isVisitorId(message.to.value))
    throw invalid(`${JSON.stringify(message.to.value)} is not a web chat visitor id`, 'to.value');
  if (message.attachments?.length) {
    throw new ConnectorError('validation', 'web chat sends text only; attachments are not supported', {
      code: 'ATTACHMENTS_UNSUPPORTED',
      retryable: false,
    });
  }
  if (message.payload !== undefined && Object.keys(message.payload).length > 0)
    throw invalid('web chat takes no payload options', 'payload');
  if (typeof message.text !== 'string' || message.text.trim() === '')
    throw invalid('a web chat message needs text', 'text');
  if (message.text.length > MAX_TEXT) throw invalid(`a web chat message is at most ${MAX_TEXT} characters`, 'text');
}

export async function sendWebchat(ctx: SendContext, message: OutboundMessage): Promise<SendResult> {
  checkOutbound(message);
  return { providerMessageId: providerMessageIdFor(ctx.idempotencyKey), status: 'delivered' };
}

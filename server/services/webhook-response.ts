// A respond node's answer as the webhook's HTTP response (README.md "Respond"): its status and headers, and its body
// as text (a string) or JSON (anything else), unless its own content-type says otherwise. Sent as bytes, so no route
// schema reshapes it (a flow answering 400 is not the API's error body).
import type { FastifyReply } from 'fastify';
import { BODYLESS_STATUSES, type WebhookResponse } from '../../connectors/flow/respond.js';

export function sendWebhookResponse(reply: FastifyReply, response: WebhookResponse): FastifyReply {
  void reply.code(response.status);
  for (const [name, value] of Object.entries(response.headers)) void reply.header(name, value);
  if (response.body === undefined || (BODYLESS_STATUSES as readonly number[]).includes(response.status))
    return reply.send();
  const text = typeof response.body === 'string';
  if (!reply.hasHeader('content-type'))
    void reply.header('content-type', text ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8');
  return reply.send(Buffer.from(text ? (response.body as string) : JSON.stringify(response.body), 'utf8'));
}

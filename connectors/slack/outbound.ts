// channel.send for Slack: chat.postMessage to a channel (or a user's DM), threaded when the thread names a ts.
import type { JsonObject } from '../flow/types.js';
import {
  ConnectorError,
  type OutboundMessage,
  type SendContext,
  type SendResult,
  type ContactIdentityInput,
} from '../sdk/index.js';
import { callSlack } from './client.js';
import { readSlackSettings, type SlackSettings } from './settings.js';

/** chat.postMessage options a flow may pass in `payload`; channel, text and thread_ts are ours. */
export const PAYLOAD_OPTIONS = ['blocks', 'unfurl_links', 'unfurl_media', 'reply_broadcast', 'mrkdwn'] as const;

const invalid = (message: string, field: string) =>
  new ConnectorError('validation', message, { code: 'INPUT_INVALID', details: { field } });
const SLACK_ID = /^[A-Z0-9]+$/;

/** The `channel` parameter: a channel id as is; a `slack` identity `<team>:<user>` as the user id (its DM). */
export function channelFor(to: ContactIdentityInput, settings: SlackSettings): string {
  if (to.kind === 'slack_channel') {
    if (!SLACK_ID.test(to.value))
      throw invalid(`a Slack channel is a channel id such as C0123ABCD, got ${JSON.stringify(to.value)}`, 'to.value');
    return to.value;
  }
  if (to.kind === 'slack') {
    const m = /^([A-Z0-9]+):([A-Z0-9]+)$/.exec(to.value);
    if (!m) throw invalid(`a Slack user identity is <teamId>:<userId>, got ${JSON.stringify(to.value)}`, 'to.value');
    if (settings.teamId !== undefined && m[1] !== settings.teamId) {
      throw invalid(`the user belongs to workspace ${m[1]}, this account to ${settings.teamId}`, 'to.value');
    }
    return m[2]!;
  }
  throw invalid(`Slack sends to slack_channel or slack identities, not ${to.kind}`, 'to.kind');
}

export function postMessageParams(message: OutboundMessage, settings: SlackSettings): JsonObject {
  const params: JsonObject = { channel: channelFor(message.to, settings) };
  if (message.attachments?.length)
    throw new ConnectorError(
      'validation',
      'the Slack connector sends text and blocks only; file attachments are not supported',
      { code: 'ATTACHMENTS_UNSUPPORTED' },
    );
  if (typeof message.text === 'string' && message.text !== '') params.text = message.text;
  for (const [key, value] of Object.entries(message.payload ?? {})) {
    if (!(PAYLOAD_OPTIONS as readonly string[]).includes(key)) {
      throw invalid(
        `payload.${key} is not a chat.postMessage option Confluo passes on (allowed: ${PAYLOAD_OPTIONS.join(', ')})`,
        `payload.${key}`,
      );
    }
    params[key] = value;
  }
  if (params.blocks !== undefined && !Array.isArray(params.blocks))
    throw invalid('payload.blocks must be an array of Block Kit blocks', 'payload.blocks');
  if (params.text === undefined && params.blocks === undefined)
    throw invalid('a Slack message needs text or payload.blocks', 'text');
  const threadTs = message.thread?.id;
  if (threadTs !== undefined) {
    if (!/^\d+\.\d+$/.test(threadTs))
      throw invalid(
        `thread.id must be a Slack ts (the thread's first message), got ${JSON.stringify(threadTs)}`,
        'thread.id',
      );
    params.thread_ts = threadTs;
  }
  return params;
}

interface PostMessageResponse {
  ok: true;
  channel: string;
  ts: string;
}

export async function sendSlack(ctx: SendContext, message: OutboundMessage): Promise<SendResult> {
  const params = postMessageParams(message, readSlackSettings(ctx.account));
  const res = await callSlack<PostMessageResponse>(ctx.account, 'chat.postMessage', params, ctx.signal);
  if (typeof res.channel !== 'string' || typeof res.ts !== 'string') {
    throw new ConnectorError('upstream', 'Slack chat.postMessage answered without channel and ts', {
      code: 'BAD_RESPONSE',
    });
  }
  // `channel` is the conversation Slack posted to: the DM's id (D...) when a user id was given.
  return {
    providerMessageId: `${res.channel}:${res.ts}`,
    status: 'sent',
    provider: { channel: res.channel, ts: res.ts },
  };
}

// The Slack channel: a Slack app's bot receives messages through the Events API and posts with chat.postMessage.
import { defineConnector } from '../sdk/index.js';
import { postMessageAction } from './actions/post-message.js';
import { slackAuth } from './auth.js';
import { slackInbound } from './inbound.js';
import { registerSlack } from './register.js';
import { sendSlack } from './outbound.js';
import { slackSettings } from './settings.js';

export const slackConnector = defineConnector({
  id: 'slack',
  name: 'Slack',
  version: '1.0.0',
  description: 'Talk to people in a Slack workspace through a Slack app.',
  auth: slackAuth,
  actions: [postMessageAction],
  channel: {
    name: 'slack',
    addressKinds: ['slack_channel', 'slack'],
    settings: slackSettings,
    inbound: slackInbound,
    send: sendSlack,
    register: registerSlack,
    // chat.postMessage is Slack's "special" tier: about 1 per second per channel plus a workspace-wide budget of
    // several hundred per minute. 300 a minute, spread as 5 a second so bursts stay short (see README).
    rateLimit: { limit: 5, intervalMs: 1_000 },
  },
});
export default slackConnector;

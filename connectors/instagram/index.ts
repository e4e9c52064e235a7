// The Instagram connector: an Instagram professional account's Direct messages as a channel (webhook in, Send API
// out) and `instagram.send`.
import { messagingChannel } from '../meta/messaging.js';
import { defineConnector } from '../sdk/define.js';
import { sendAction } from './actions/send.js';
import { INSTAGRAM_AUTH } from './auth.js';
import { INSTAGRAM_SETTINGS } from './settings.js';

export const instagramConnector = defineConnector({
  id: 'instagram',
  name: 'Instagram',
  version: '1.0.0',
  description: 'Instagram Direct: receive messages sent to a professional account and answer them.',
  auth: INSTAGRAM_AUTH,
  actions: [sendAction],
  channel: messagingChannel({
    kind: 'instagram',
    label: 'Instagram',
    object: 'instagram',
    tokenKey: 'accessToken',
    accountIdKey: 'igAccountId',
    auth: INSTAGRAM_AUTH,
    settings: INSTAGRAM_SETTINGS,
  }),
});
export default instagramConnector;

// The Instagram connector: an Instagram professional account's Direct messages as a channel (webhook in, Send API
// out) and `instagram.send`.
import { messagingChannel } from '../meta/messaging.js';
import { defineConnector } from '../sdk/index.js';
import { sendAction } from './actions/send.js';
import { instagramAuth } from './auth.js';
import { instagramSettings } from './settings.js';

export const instagramConnector = defineConnector({
  id: 'instagram',
  name: 'Instagram',
  version: '1.0.0',
  description: 'Instagram Direct: receive messages sent to a professional account and answer them.',
  auth: instagramAuth,
  actions: [sendAction],
  channel: messagingChannel({
    kind: 'instagram',
    label: 'Instagram',
    object: 'instagram',
    tokenKey: 'accessToken',
    accountIdKey: 'igAccountId',
    auth: instagramAuth,
    settings: instagramSettings,
  }),
});
export default instagramConnector;

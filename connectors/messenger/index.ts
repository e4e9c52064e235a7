// The Messenger connector: a Facebook Page's conversations as a channel (webhook in, Send API out) and `messenger.send`.
import { messagingChannel } from '../meta/messaging.js';
import { defineConnector } from '../sdk/index.js';
import { sendAction } from './actions/send.js';
import { messengerAuth } from './auth.js';
import { messengerSettings } from './settings.js';

export const messengerConnector = defineConnector({
  id: 'messenger',
  name: 'Messenger',
  version: '1.0.0',
  description: 'Facebook Messenger: receive messages sent to a Page and answer them.',
  auth: messengerAuth,
  actions: [sendAction],
  channel: messagingChannel({
    kind: 'messenger',
    label: 'Messenger',
    object: 'page',
    tokenKey: 'pageAccessToken',
    accountIdKey: 'pageId',
    auth: messengerAuth,
    settings: messengerSettings,
  }),
});
export default messengerConnector;

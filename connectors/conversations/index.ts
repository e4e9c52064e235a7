// The built-in inbox connector: actions over a contact's one conversation, whatever channel it is on.
import { defineConnector } from '../sdk/index.js';
import { listOpenAction } from './actions/list-open.js';
import { replyAction } from './actions/reply.js';
import { setConsentAction } from './actions/set-consent.js';

export const conversationsConnector = defineConnector({
  id: 'conversations',
  name: 'Conversations',
  version: '1.0.0',
  description: "The contact's conversation across every channel.",
  actions: [replyAction, listOpenAction, setConsentAction],
});
export default conversationsConnector;

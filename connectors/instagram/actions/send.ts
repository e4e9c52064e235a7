// `instagram.send`: a text message in an Instagram Direct conversation, to a person who wrote to the account
// (an Instagram-scoped id).
import { messagingSendAction } from '../../meta/send-action.js';

export const sendAction = messagingSendAction({
  kind: 'instagram',
  name: 'Send Instagram message',
  description: 'Sends a text message to a person in Instagram Direct, within 24 hours of their last message.',
  recipientHelp:
    "The person's identity (<igAccountId>:<igsid>, e.g. {{ trigger.sender.identity.value }}) or their Instagram-scoped id.",
  maxText: 1000,
});

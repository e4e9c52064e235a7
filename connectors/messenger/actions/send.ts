// `messenger.send`: a text message to a person who wrote to the Page (a page-scoped id).
import { messagingSendAction } from '../../meta/send-action.js';

export const sendAction = messagingSendAction({
  kind: 'messenger',
  name: 'Send Messenger message',
  description: 'Sends a text message to a person on Messenger, within 24 hours of their last message.',
  recipientHelp:
    "The person's identity (<pageId>:<psid>, e.g. {{ trigger.sender.identity.value }}) or their page-scoped id.",
  maxText: 2000,
});

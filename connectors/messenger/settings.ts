// The settings of a Messenger account: the Page it speaks for (webhook entries of other Pages are skipped, and
// people's ids are scoped to it) and the Graph API base URL.
import { apiBaseUrlField, graphIdField } from '../meta/account.js';
import { Type, type Static } from '../sdk/index.js';

export const messengerSettings = Type.Object({
  pageId: graphIdField('Page ID', 'The Facebook Page id (Page > About > Page transparency, or Meta Business Suite).'),
  apiBaseUrl: Type.Optional(apiBaseUrlField()),
});
export type MessengerSettings = Static<typeof messengerSettings>;

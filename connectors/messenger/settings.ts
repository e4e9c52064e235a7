// The settings of a Messenger account: the Page it speaks for (webhook entries of other Pages are skipped, and
// people's ids are scoped to it) and the Graph API base URL.
import { API_BASE_URL_FIELD, graphIdField } from '../meta/account.js';
import type { JsonSchema } from '../sdk/types.js';

export const MESSENGER_SETTINGS: JsonSchema = {
  type: 'object',
  required: ['pageId'],
  properties: {
    pageId: graphIdField('Page ID', 'The Facebook Page id (Page > About > Page transparency, or Meta Business Suite).'),
    apiBaseUrl: API_BASE_URL_FIELD,
  },
};

export interface MessengerSettings {
  pageId: string;
  apiBaseUrl: string;
}

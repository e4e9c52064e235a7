// The settings of an Instagram messaging account: the professional account it speaks for (webhook entries of other
// accounts are skipped, and people's ids are scoped to it) and the Graph API base URL.
import { API_BASE_URL_FIELD, graphIdField } from '../meta/account.js';
import type { JsonSchema } from '../sdk/types.js';

export const INSTAGRAM_SETTINGS: JsonSchema = {
  type: 'object',
  required: ['igAccountId'],
  properties: {
    igAccountId: graphIdField(
      'Instagram account ID',
      'The Instagram professional account id (the `entry[].id` of its webhooks), e.g. 17841405822304914.',
    ),
    apiBaseUrl: {
      ...API_BASE_URL_FIELD,
      description:
        'https://graph.facebook.com for a Page token (Facebook Login); https://graph.instagram.com for an Instagram User token.',
    },
  },
};

export interface InstagramSettings {
  igAccountId: string;
  apiBaseUrl: string;
}

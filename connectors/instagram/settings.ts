// The settings of an Instagram messaging account: the professional account it speaks for (webhook entries of other
// accounts are skipped, and people's ids are scoped to it) and the Graph API base URL.
import { apiBaseUrlField, graphIdField } from '../meta/account.js';
import { Type, type Static } from '../sdk/index.js';

export const instagramSettings = Type.Object({
  igAccountId: graphIdField(
    'Instagram account ID',
    'The Instagram professional account id (the `entry[].id` of its webhooks), e.g. 17841405822304914.',
  ),
  apiBaseUrl: Type.Optional(
    apiBaseUrlField(
      'https://graph.facebook.com for a Page token (Facebook Login); https://graph.instagram.com for an Instagram User token.',
    ),
  ),
});
export type InstagramSettings = Static<typeof instagramSettings>;

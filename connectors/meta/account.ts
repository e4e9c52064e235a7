// The fields Meta channel accounts (WhatsApp, Messenger, Instagram) share in their credentials and settings schemas.
// Each connector reads its account with the SDK's accountReader.
import { Type, rateLimitSetting } from '../sdk/index.js';
import { graphApi } from './graph.js';

/** A secret string field of a credentials schema. */
export const secretField = (title: string, description: string) =>
  Type.String({ minLength: 1, title, description, writeOnly: true, 'x-ui': { widget: 'password' } });

/** Graph ids (phone number id, Page id, Instagram account id) are decimal strings. */
export const graphIdField = (title: string, description: string) =>
  Type.String({ pattern: '^[0-9]+$', title, description });

/** The Graph API host; `description` replaces the default one. */
export const apiBaseUrlField = (
  description = 'The Graph API host; change it only for a proxy or a test server (its host must be in CONFLUO_HTTP_ALLOWLIST).',
) => graphApi.baseUrlField({ description });

export const rateLimitField = (description = 'Sends per interval, to stay under a lower limit than the default.') =>
  rateLimitSetting(description);

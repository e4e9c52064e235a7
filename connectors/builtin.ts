// The connectors that ship with Confluo. Plugins are registered beside these.
import { createContactsConnector } from './contacts/index.js';
import { conversationsConnector } from './conversations/index.js';
import { emailConnector } from './email/index.js';
import { createHttpConnector, type HttpGuardOptions } from './http/index.js';
import { hubspotConnector } from './hubspot/index.js';
import { instagramConnector } from './instagram/index.js';
import { messengerConnector } from './messenger/index.js';
import { pipedriveConnector } from './pipedrive/index.js';
import { slackConnector } from './slack/index.js';
import { createSmsConnector } from './sms/index.js';
import { telegramConnector } from './telegram/index.js';
import { webchatConnector } from './webchat/index.js';
import { whatsappConnector } from './whatsapp/index.js';
import type { Connector } from './sdk/index.js';

export interface BuiltinOptions {
  /** `http`: where http.request may connect; default from CONFLUO_HTTP_ALLOW_PRIVATE / CONFLUO_HTTP_ALLOWLIST. */
  http?: HttpGuardOptions;
  /**
   * `sms.send` and `contacts.upsert`: the ISO-3166 alpha-2 country of national phone numbers when an input names none.
   * Default: CONFLUO_DEFAULT_COUNTRY, read here (once, when the connectors are built), never inside an action.
   */
  defaultCountry?: string | undefined;
}

export function builtinConnectors(opts: BuiltinOptions = {}): Connector[] {
  const defaultCountry = 'defaultCountry' in opts ? opts.defaultCountry : process.env.CONFLUO_DEFAULT_COUNTRY;
  return [
    createHttpConnector(opts.http),
    createContactsConnector({ defaultCountry }),
    conversationsConnector,
    emailConnector,
    createSmsConnector({ defaultCountry }),
    whatsappConnector,
    messengerConnector,
    instagramConnector,
    telegramConnector,
    slackConnector,
    webchatConnector,
    hubspotConnector,
    pipedriveConnector,
  ];
}

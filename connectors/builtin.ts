// The connectors that ship with Confluo. Plugins are registered beside these.
import { contactsConnector } from './contacts/index.js';
import { conversationsConnector } from './conversations/index.js';
import { emailConnector } from './email/index.js';
import { createHttpConnector, type HttpGuardOptions } from './http/index.js';
import { instagramConnector } from './instagram/index.js';
import { messengerConnector } from './messenger/index.js';
import { slackConnector } from './slack/index.js';
import { smsConnector } from './sms/index.js';
import { telegramConnector } from './telegram/index.js';
import { webchatConnector } from './webchat/index.js';
import { whatsappConnector } from './whatsapp/index.js';
import type { Connector } from './sdk/types.js';

/** `http`: where http.request may connect; default from CONFLUO_HTTP_ALLOW_PRIVATE / CONFLUO_HTTP_ALLOWLIST. */
export function builtinConnectors(opts: { http?: HttpGuardOptions } = {}): Connector[] {
  return [
    createHttpConnector(opts.http),
    contactsConnector,
    conversationsConnector,
    emailConnector,
    smsConnector,
    whatsappConnector,
    messengerConnector,
    instagramConnector,
    telegramConnector,
    slackConnector,
    webchatConnector,
  ];
}

// The connectors that ship with Confluo. Plugins are registered beside these.
import { contactsConnector } from './contacts/index.js';
import { createHttpConnector, type HttpGuardOptions } from './http/index.js';
import type { Connector } from './sdk/types.js';

/** `http`: where http.request may connect; default from CONFLUO_HTTP_ALLOW_PRIVATE / CONFLUO_HTTP_ALLOWLIST. */
export function builtinConnectors(opts: { http?: HttpGuardOptions } = {}): Connector[] {
  return [createHttpConnector(opts.http), contactsConnector];
}

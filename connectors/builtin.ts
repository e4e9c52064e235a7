// The connectors that ship with Confluo. Plugins are registered beside these.
import { contactsConnector } from './contacts/index.js';
import { createHttpConnector } from './http/index.js';
import type { Connector } from './sdk/types.js';

export function builtinConnectors(): Connector[] {
  return [createHttpConnector(), contactsConnector];
}

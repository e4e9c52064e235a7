// The built-in HTTP connector: `http.request`, and `http.poll` (a poll trigger source). The SSRF guard's settings come from an options object (tests) or,
// for the default instance, from the environment read on every connection.
import { defineConnector, type Connector } from '../sdk/index.js';
import { createGuardedDispatcher, httpOptionsFromEnv, type HttpGuardOptions } from '../sdk/guard.js';
import { requestAction } from './actions/request.js';
import { pollTrigger } from './triggers/poll.js';
import type { Dispatcher } from 'undici';

export type { HttpGuardOptions } from '../sdk/guard.js';

export function createHttpConnector(
  options: HttpGuardOptions | (() => HttpGuardOptions) = () => httpOptionsFromEnv(),
): Connector {
  const getOptions = typeof options === 'function' ? options : () => options;
  let dispatcher: Dispatcher | undefined;
  // Created on first use: defining the connector (e.g. the server listing manifests) opens no sockets.
  const lazy = () => (dispatcher ??= createGuardedDispatcher(getOptions));
  return defineConnector({
    id: 'http',
    name: 'HTTP',
    version: '1.0.0',
    description: 'Call any HTTP API.',
    actions: [requestAction(lazy)],
    // The generic HTTP poll (`http.poll`): a poll source over the same guarded dispatcher.
    triggers: [pollTrigger(lazy)],
  });
}

/** Reads CONFLUO_HTTP_ALLOW_PRIVATE and CONFLUO_HTTP_ALLOWLIST from process.env at call time. */
export const httpConnector = createHttpConnector();
export default httpConnector;

// The connector SDK: what a connector (built-in or plugin package) imports, and all it imports: schemas are written
// with TypeBox (`Type`, re-exported here), which is JSON Schema.
export type * from './types.js';
export type { JsonObject, JsonValue } from '../flow/types.js';
export { ConnectorError, isConnectorError, errorFromHttpStatus, parseRetryAfter } from './errors.js';
export { Type, type Static, type TSchema } from 'typebox';
export {
  defineAction,
  defineConnector,
  definePollTrigger,
  definitionProblems,
  type ActionSpec,
  type PollTriggerSpec,
} from './define.js';
export { accountReader, type AccountReader, type AccountReaderOptions, type WithDefaults } from './account.js';
export { createRegistry, type PollSource, type Registry } from './registry.js';
export { valueAtPath } from '../flow/poll.js';
export { createAjv, type Ajv } from './schema.js';
export {
  constantTimeEqual,
  signTwilio,
  verifyTwilio,
  verifyTwilioBody,
  twilioUrlCandidates,
  signMeta,
  verifyMeta,
  metaHandshake,
  signSlack,
  verifySlack,
  SLACK_WINDOW_SECONDS,
  signHubSpotV3,
  verifyHubSpotV3,
  hubspotSignedUri,
  HUBSPOT_WINDOW_MS,
  verifyTelegram,
  isValidTelegramSecret,
  newTelegramSecret,
  type RawBody,
  type HeaderValue,
  type TwilioParams,
  type MetaHandshakeResult,
  type SlackVerifyResult,
  type HubSpotVerifyResult,
} from './signatures.js';
export type * from './channel.js';
export type * from './crm.js';
export { InboundPayloadError } from './channel.js';
export {
  MESSAGE_EVENT_SCHEMA,
  SENT_MESSAGE_SCHEMA,
  ACCOUNT_INPUT,
  IDENTITY_SCHEMA,
  ATTACHMENT_SCHEMA,
  RATE_LIMIT_SETTING,
  LOG_MESSAGES_SETTING,
  rateLimitSetting,
} from './channel-schemas.js';
export { MESSAGE_TRIGGER_ID } from './define.js';
export { CONTACT_IDENTITY_SCHEMA, IDENTITY_SOURCE_SCHEMA } from './identity-schemas.js';
export {
  loadPlugins,
  parsePluginSpecs,
  PluginLoadError,
  type LoadPluginsOptions,
  type LoadedPlugin,
  type PluginFailure,
  type PluginProblem,
} from './plugins.js';
export { guardedAddress } from './guard.js';
export {
  defineProvider,
  providerText,
  providerUrlProblems,
  PROVIDER_KEYWORD,
  PROVIDER_TIMEOUT_MS,
  type Provider,
  type ProviderSpec,
  type ProviderAnswer,
  type ProviderRequest,
} from './http.js';

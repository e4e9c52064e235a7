// The test kit: fake provider servers checked against the providers' published specs, for connector tests.
export {
  startFakeServer,
  parseBody,
  formToRecord,
  type FakeServer,
  type FakeReply,
  type FakeHandler,
  type RecordedRequest,
  type Violation,
} from './fake-server.js';
export {
  startTelegramFake,
  textMessageUpdate,
  telegramParamProblems,
  tooManyRequests,
  type ApiMethod as TelegramApiMethod,
  type TelegramFake,
  type TelegramUpdate,
  type TelegramMessage,
  type TelegramUser,
  type TelegramChat,
  type TelegramWebhook,
} from './fakes/telegram.js';
export {
  startTwilioFake,
  formOperation,
  type TwilioFake,
  type TwilioMessage,
  type SignedDelivery,
  type FormOperation,
} from './fakes/twilio.js';
export {
  startSlackFake,
  slackMethod,
  type SlackFake,
  type SlackMethod,
  type SlackPosted,
  type SlackDelivery,
  type SlackEventDelivery,
  type SlackEventCallback,
  type SlackMessageEvent,
  type SlackSendOptions,
} from './fakes/slack.js';
export {
  startHubSpotFake,
  type HubSpotFake,
  type HubSpotFakeOptions,
  type HubSpotFailure,
  type HubSpotRecord,
  type HubSpotEvent,
  type HubSpotDelivery,
  type HubSpotObjectType,
} from './fakes/hubspot.js';
export { directAccounts } from './accounts.js';
export {
  startPipedriveFake,
  v1Time as pipedriveV1Time,
  v2Time as pipedriveV2Time,
  type PipedriveFake,
  type PipedriveFakeOptions,
  type PipedriveFailure,
  type PipedrivePerson,
  type PipedriveDeal,
  type PipedriveNote,
  type PipedriveDelivery,
  type PipedriveSubscription,
  type PipedriveWebhookPayload,
} from './fakes/pipedrive.js';
export { loadSpec } from './specs.js';
export {
  startWhatsAppFake,
  startMessengerFake,
  startInstagramFake,
  whatsappSendChecker,
  compileWhatsAppSchema,
  metaHandshakeRequest,
  metaJson,
  graphError,
  SEND_API_SCHEMA,
  GRAPH_VERSION,
  WHATSAPP_SPEC,
  type WhatsAppFake,
  type WhatsAppSent,
  type WhatsAppInbound,
  type WhatsAppStatus,
  type WhatsAppSendChecker,
  type PageFake,
  type PageSent,
  type PageInbound,
  type MetaDelivery,
  type HandshakeResult,
} from './fakes/meta.js';
export {
  startInboundCapture,
  memoryLogger,
  testAccount,
  inboundContext,
  directChannels,
  actionContext,
  type InboundCapture,
} from './channel.js';
export { pollContext } from './poll.js';

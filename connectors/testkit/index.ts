// The test kit: fake provider servers checked against the providers' published specs, for connector tests.
export { startFakeServer, parseBody, formToRecord, type FakeServer, type FakeReply, type FakeHandler, type RecordedRequest, type Violation } from './fake-server.js';
export {
  startTelegramFake, textMessageUpdate, telegramParamProblems, type ApiMethod as TelegramApiMethod,
  type TelegramFake, type TelegramUpdate, type TelegramMessage, type TelegramUser, type TelegramChat, type TelegramWebhook,
} from './fakes/telegram.js';
export { startTwilioFake, formOperation, type TwilioFake, type TwilioMessage, type SignedDelivery, type FormOperation } from './fakes/twilio.js';
export { loadSpec } from './specs.js';

// The email channel: sends over SMTP (nodemailer) and receives by polling an IMAP mailbox (imapflow + mailparser).
// No webhook: the platform calls `channel.poll` every `pollInterval` with the cursor the previous poll returned.
import { defineConnector, type Connector } from '../sdk/index.js';
import { sendAction } from './actions/send.js';
import { emailAuth } from './auth.js';
import { pollMailbox, type PollOptions } from './imap.js';
import { DEFAULT_POLL_INTERVAL, emailSettings } from './settings.js';
import { DEFAULT_TIMEOUTS, sendEmail } from './smtp.js';

export type { EmailCursor } from './imap.js';

export type EmailConnectorOptions = Partial<PollOptions>;

export function createEmailConnector(options: EmailConnectorOptions = {}): Connector {
  const poll: PollOptions = {
    batchSize: options.batchSize ?? 100,
    maxSourceBytes: options.maxSourceBytes ?? 1024 * 1024,
    timeouts: options.timeouts ?? DEFAULT_TIMEOUTS,
  };
  return defineConnector({
    id: 'email',
    name: 'Email',
    version: '1.0.0',
    description: 'Send email over SMTP and receive it from an IMAP mailbox.',
    auth: emailAuth,
    actions: [sendAction],
    channel: {
      name: 'email',
      addressKinds: ['email'],
      settings: emailSettings,
      pollInterval: DEFAULT_POLL_INTERVAL,
      poll: (ctx, cursor) => pollMailbox(ctx, cursor, poll),
      send: (ctx, message) => sendEmail(ctx, message, poll.timeouts),
    },
  });
}

export const emailConnector = createEmailConnector();
export default emailConnector;

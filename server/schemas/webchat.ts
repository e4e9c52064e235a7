// Shapes of /webchat: the visitor-facing endpoints the embeddable widget calls (no API key; a visitor token instead).
import { Type, type Static } from 'typebox';
import { VISITOR_ID_PATTERN } from '../../connectors/webchat/token.js';
import { DateTime } from './common.js';

export const AccountParams = Type.Object({
  accountId: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_-]+$' }),
});
export type AccountParams = Static<typeof AccountParams>;

/** CORS preflights: the two endpoints a page on another website calls. */
export const PreflightParams = Type.Object({
  ...AccountParams.properties,
  endpoint: Type.Union([Type.Literal('sessions'), Type.Literal('messages')]),
});

const VisitorId = Type.String({ pattern: VISITOR_ID_PATTERN, description: 'The id the session endpoint issued' });
const Token = Type.String({ minLength: 1, maxLength: 200, description: 'The token issued with the visitor id' });

export const SessionBody = Type.Object({
  visitorId: Type.Optional(VisitorId),
  token: Type.Optional(Token),
});
export type SessionBody = Static<typeof SessionBody>;

export const WidgetConfig = Type.Object({
  title: Type.String(),
  greeting: Type.Optional(Type.String()),
  color: Type.String(),
});

export const Session = Type.Object({ visitorId: VisitorId, token: Token, config: WidgetConfig });
export type Session = Static<typeof Session>;

export const MessagesQuery = Type.Object({
  visitorId: VisitorId,
  token: Token,
  after: Type.Optional(
    Type.String({ minLength: 1, maxLength: 8192, description: 'The `cursor` of the previous answer, or a message id' }),
  ),
  wait: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 25,
      default: 0,
      description: 'Seconds to wait for a new message before answering with none',
    }),
  ),
});
export type MessagesQuery = Static<typeof MessagesQuery>;

export const VisitorMessage = Type.Object({
  id: Type.String(),
  direction: Type.Union([Type.Literal('in'), Type.Literal('out')], {
    description: 'in: from the visitor; out: to the visitor',
  }),
  text: Type.Union([Type.String(), Type.Null()]),
  sentAt: DateTime,
  clientMessageId: Type.Optional(Type.String({ description: 'in: the id the widget gave the message' })),
});

export const VisitorMessages = Type.Object({
  messages: Type.Array(VisitorMessage, { description: 'Oldest first' }),
  cursor: Type.String({ description: 'Pass as `after` to get only newer messages' }),
});
export type VisitorMessages = Static<typeof VisitorMessages>;

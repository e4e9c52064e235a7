// The API's wire types, from where they are defined: the server's route schemas (`Static<typeof …>` beside each
// TypeBox schema) and the connector SDK's manifests. Type-only, so nothing of the server reaches the bundle; a field
// the editor reads that a schema loses fails `npm run typecheck`.
export type { Issue as ErrorIssue } from '../../../server/schemas/common.js';
export type {
  FlowDetail,
  FlowList,
  FlowSchedule,
  FlowSummary,
  FlowVersionBody,
  Published,
  ValidateResult,
  VersionSummary,
} from '../../../server/schemas/flows.js';
export type { RunDetail, RunList, RunStatus, RunSummary } from '../../../server/schemas/runs.js';
export type { StepTestBody, StepTestResult } from '../../../server/schemas/step-tests.js';
export type {
  ChannelAccount,
  ChannelAccountList,
  CreateChannelAccountBody as NewChannelAccount,
  /** `credentials` replaces the stored ones as a whole; leave it out to keep them. */
  UpdateChannelAccountBody as ChannelAccountPatch,
} from '../../../server/schemas/channel-accounts.js';
export type {
  Contact,
  ContactList,
  ContactNote,
  CrmLinkStatus,
  Identity,
  Timeline,
  TimelineEvent,
  /** `PATCH /api/contacts/:id`: attributes are merged in, a null value removes one; `tags` replaces the tags. */
  UpdateContactBody as ContactPatch,
} from '../../../server/schemas/contacts.js';
export type { Duplicate } from '../../../server/schemas/contact-duplicates.js';
export type {
  AttributeDefinition,
  AttributeType,
  ContactSettings,
  CreateAttributeBody as NewAttribute,
  UpdateAttributeBody as AttributePatch,
  UpdateContactSettingsBody as ContactSettingsPatch,
} from '../../../server/schemas/contact-settings.js';
export type { ContactMerge, MergePreview, MergeResult, UndoResult } from '../../../server/schemas/contact-merges.js';
export type {
  UpdateWorkspaceSettingsBody as WorkspaceSettingsPatch,
  WorkspaceSettings,
} from '../../../server/schemas/workspace-settings.js';
export type {
  Conversation,
  ConversationList,
  Message,
  MessageList,
  /** 201 `sent` once the message went out, 202 `sending` when that takes longer (it goes on durably). */
  SendResult as ReplyResult,
} from '../../../server/schemas/conversations.js';
export type { ActionManifest, ConnectorManifest, CrmManifest, TriggerManifest } from '../../../connectors/sdk/types.js';
export type { AttachmentRef, ChannelManifest, SentMessage } from '../../../connectors/sdk/channel.js';

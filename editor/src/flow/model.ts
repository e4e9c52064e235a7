// The flow model, shared with the server: its types, and three constants of connectors/flow/types.ts, a pure module.
export type {
  ActionNode,
  ChannelMessageTrigger,
  ConditionNode,
  ContactEventTrigger,
  ContactEventType,
  ConversationEventTrigger,
  DelayNode,
  FlowDefinition,
  FlowEdge,
  FlowNode,
  JoinMode,
  JsonObject,
  JsonValue,
  LoopNode,
  LoopProgress,
  MessageFailedTrigger,
  NodeType,
  PlatformEventTrigger,
  PlatformEventType,
  PollTrigger,
  RespondNode,
  RunFailedTrigger,
  ScheduleOverlap,
  ScheduleTrigger,
  SetNode,
  StepState,
  StepStatus,
  SubflowNode,
  SwitchCase,
  SwitchNode,
  TriggerDef,
  ValidationIssue,
  WaitNode,
  WebhookTrigger,
} from '../../../connectors/flow/types.js';

// Plain values of the same pure module (no imports of its own, so nothing else reaches the bundle).
export {
  BRANCHES,
  CONTACT_EVENT_TYPES,
  PLATFORM_EVENT_TYPES,
  SCHEDULE_OVERLAPS,
  TRIGGER_ID,
} from '../../../connectors/flow/types.js';
// Branch names per node (a switch's cases, an action's error branch): pure, importing only types.ts.
export {
  canFail,
  caseBranch,
  DEFAULT_BRANCH,
  ERROR_BRANCH,
  optionalBranches,
  outHandles,
  requiredBranches,
} from '../../../connectors/flow/branches.js';
// Loops' bodies and bounds: pure, importing only types.ts.
export { DONE_BRANCH, ITEM_BRANCH, LOOP_LIMITS, loopBodies } from '../../../connectors/flow/loop.js';

// The flow model, shared with the server: its types, and three constants of connectors/flow/types.ts, a pure module.
export type {
  ActionNode,
  ChannelMessageTrigger,
  ConditionNode,
  ContactEventTrigger,
  ContactEventType,
  DelayNode,
  FlowDefinition,
  FlowEdge,
  FlowNode,
  JsonObject,
  JsonValue,
  NodeType,
  SetNode,
  StepState,
  StepStatus,
  TriggerDef,
  ValidationIssue,
  WaitNode,
  WebhookTrigger,
} from '../../../connectors/flow/types.js';

// Plain values of the same pure module (no imports of its own, so nothing else reaches the bundle).
export { BRANCHES, CONTACT_EVENT_TYPES, TRIGGER_ID } from '../../../connectors/flow/types.js';

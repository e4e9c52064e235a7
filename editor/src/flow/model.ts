// The flow model, shared with the server: its types, and two constants of connectors/flow/types.ts, a pure module.
export type {
  ActionNode,
  ChannelMessageTrigger,
  ConditionNode,
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
export { BRANCHES, TRIGGER_ID } from '../../../connectors/flow/types.js';

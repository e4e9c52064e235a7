// The flow model's types, shared with the server (type-only: the editor talks to the server over HTTP only).
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

export const TRIGGER_ID = 'trigger';

/** Branch names of the edges leaving a node of this type; none means one plain output. */
export const BRANCHES: Record<string, readonly string[]> = {
  condition: ['true', 'false'],
  wait: ['received', 'timeout'],
};

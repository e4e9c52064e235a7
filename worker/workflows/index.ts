// Every workflow the worker registers. The bundler starts here: only sandbox-safe code may be reachable from it.
export { runFlow } from './run-flow.js';
export { runLoop } from './run-loop.js';
export { ingest } from './ingest.js';
export { pollChannel } from './poll-channel.js';
export { sendMessage } from './send-message.js';
export { crmChange } from './crm-change.js';
export { crmSync } from './crm-sync.js';
export { pollTrigger } from './poll-trigger.js';
export { testStep } from './test-step.js';

// The bench worker's workflow bundle: Confluo's own workflows plus the hand-written comparison and the ceiling.
export * from '../worker/workflows/index.js';
export { handwrittenReference } from './handwritten-workflow.js';
export { ceilingLocal, ceilingRegular } from './ceiling-workflow.js';

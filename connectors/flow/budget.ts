// What one run may hold: every value a step computes in workflow code (a `set` node's values, a condition's result,
// an action's resolved input) and everything the run keeps, counted as the bytes of its JSON. Temporal refuses
// payloads over 2 MiB by failing the workflow task, which it then retries for ever: a run that went over would stay
// `running`, uncancellable, slowing its worker. Checked in the workflow, a value over its budget fails the step instead.
// Sandbox-safe (no I/O, no clock).

export const RUN_BUDGET = {
  /** One step's input or output (action outputs are capped at the same size by executeStep). */
  stepValueBytes: 256 * 1024,
  /** All the steps' inputs and outputs together: the run's result and its `steps` query carry them. */
  runStateBytes: 1536 * 1024,
} as const;

/**
 * The most a sample kept in a definition may hold (UTF-8 bytes of its JSON): an action's `sample` (the editor's "Keep
 * as sample" trims a tested output to fit) and a trigger's. Every published version and every run's input carries them.
 */
export const SAMPLE_MAX_BYTES = 16 * 1024;
/** A trigger's sample is a whole event a person pasted (a webhook request): more room, still bounded. */
export const TRIGGER_SAMPLE_MAX_BYTES = 64 * 1024;

/** UTF-8 bytes of `value`'s JSON; `limit + 1` as soon as it is known to be over `limit` (so huge values cost little). */
export function jsonBytes(value: unknown, limit = Infinity): number {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    return limit === Infinity ? Number.MAX_SAFE_INTEGER : limit + 1; // cyclic or too deep to write: never storable
  }
  if (text === undefined) return 0;
  if (text.length > limit) return limit + 1; // a UTF-16 unit is at least one byte
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      bytes += 4; // a surrogate pair; JSON.stringify escapes lone ones
      i++;
    } else bytes += 3;
    if (bytes > limit) return limit + 1;
  }
  return bytes;
}

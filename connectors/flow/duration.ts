// ISO-8601 durations for delays, timeouts and retry intervals. Years and months are rejected on purpose: their
// length depends on the calendar, and a delay must be a fixed number of milliseconds (Temporal timers are).

/**
 * The accepted grammar, usable as a JSON Schema `pattern`: weeks, days, hours, minutes, seconds (the seconds may
 * carry a fraction, `.` or `,`). At least one component, and `T` must be followed by one.
 */
export const DURATION_PATTERN =
  '^P(?!$)(?:(\\d+)W)?(?:(\\d+)D)?(?:T(?=\\d)(?:(\\d+)H)?(?:(\\d+)M)?(?:(\\d+(?:[.,]\\d+)?)S)?)?$';

const DURATION_RE = new RegExp(DURATION_PATTERN);
const UNIT_MS = [7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000] as const;

/** Milliseconds in an ISO-8601 duration such as `PT2S`, `P1DT12H`, `P2W` or `PT0.5S`. Throws on anything else. */
export function parseDuration(iso: string): number {
  const m = typeof iso === 'string' ? DURATION_RE.exec(iso) : null;
  if (!m) {
    throw new Error(
      `Invalid ISO-8601 duration ${JSON.stringify(iso)}: expected e.g. PT30S, PT5M, P1DT2H or P2W (years and months are not supported)`,
    );
  }
  let ms = 0;
  UNIT_MS.forEach((unit, i) => {
    const part = m[i + 1];
    if (part !== undefined) ms += Number(part.replace(',', '.')) * unit;
  });
  // Sub-millisecond fractions cannot be scheduled; round so callers always get an integer.
  ms = Math.round(ms);
  if (!Number.isSafeInteger(ms)) throw new Error(`ISO-8601 duration ${JSON.stringify(iso)} is too long`);
  return ms;
}

/** True when `s` is a duration `parseDuration` accepts. */
export function isDuration(s: unknown): s is string {
  if (typeof s !== 'string') return false;
  try {
    parseDuration(s);
    return true;
  } catch {
    return false;
  }
}

/**
 * The range each kind of duration in a flow may take, in milliseconds, checked by validation (publish, test runs).
 * - delay, wait: up to 366 days. Longer waits are kept in a run's history for as long, and what a business waits a year
 *   for is better a schedule or an event than one run.
 * - step timeout (one attempt of an action): 1 s to 1 h. A provider call has no business taking longer; work that
 *   does belongs in several steps or a wait.
 * - retry intervals: 100 ms to 1 day between attempts.
 */
export const DURATION_BOUNDS = {
  delay: { min: 0, max: 366 * 86_400_000 },
  wait: { min: 0, max: 366 * 86_400_000 },
  timeout: { min: 1000, max: 3_600_000 },
  retryInterval: { min: 100, max: 86_400_000 },
  // A child run's limit: Temporal reads a zero execution timeout as none at all, so at least a second.
  subflowTimeout: { min: 1000, max: 366 * 86_400_000 },
} as const;

export type DurationKind = keyof typeof DURATION_BOUNDS;

const BOUND_TEXT: Record<DurationKind, string> = {
  delay: 'from PT0S to P366D',
  wait: 'from PT0S to P366D',
  timeout: 'from PT1S to PT1H',
  retryInterval: 'from PT0.1S to P1D',
  subflowTimeout: 'from PT1S to P366D',
};

const KIND_TEXT: Partial<Record<DurationKind, string>> = {
  retryInterval: 'retry interval',
  subflowTimeout: 'sub-flow timeout',
};

/** Why `iso` is not a valid duration of that kind (malformed, or out of its bounds), or null when it is fine. */
export function durationProblem(iso: string, kind: DurationKind): string | null {
  let ms: number;
  try {
    ms = parseDuration(iso);
  } catch {
    return 'is not an ISO-8601 duration like PT30S, PT5M or P1D (no years or months)';
  }
  const { min, max } = DURATION_BOUNDS[kind];
  return ms < min || ms > max ? `is out of range: a ${KIND_TEXT[kind] ?? kind} goes ${BOUND_TEXT[kind]}` : null;
}

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

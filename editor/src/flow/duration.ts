// A friendly duration: an amount and a unit, to and from ISO-8601 (the flow model's durations).
import { DURATION_PATTERN } from '../../../connectors/flow/duration.js';

export const UNITS = [
  { id: 'seconds', label: 'seconds', ms: 1000 },
  { id: 'minutes', label: 'minutes', ms: 60_000 },
  { id: 'hours', label: 'hours', ms: 3_600_000 },
  { id: 'days', label: 'days', ms: 86_400_000 },
] as const;
export type Unit = (typeof UNITS)[number]['id'];

/** The flow model's grammar (weeks to seconds; no years or months). */
const RE = new RegExp(DURATION_PATTERN);

export function durationMs(iso: string): number | undefined {
  const m = RE.exec(iso);
  if (!m) return undefined;
  const unit = [604_800_000, 86_400_000, 3_600_000, 60_000, 1000];
  return unit.reduce((ms, u, i) => ms + (m[i + 1] ? Number(m[i + 1]!.replace(',', '.')) * u : 0), 0);
}

/** The largest unit that divides the duration evenly. */
export function toFriendly(iso: string): { amount: number; unit: Unit } | undefined {
  const ms = durationMs(iso);
  if (ms === undefined) return undefined;
  for (const u of [...UNITS].reverse()) if (ms % u.ms === 0 && ms > 0) return { amount: ms / u.ms, unit: u.id };
  return { amount: ms / 1000, unit: 'seconds' };
}

export function toIso(amount: number, unit: Unit): string {
  switch (unit) {
    case 'seconds':
      return `PT${amount}S`;
    case 'minutes':
      return `PT${amount}M`;
    case 'hours':
      return `PT${amount}H`;
    case 'days':
      return `P${amount}D`;
  }
}

/** A duration in words ("1 day", "90 minutes"), or the ISO text when it is not one. */
export function durationText(iso: string): string {
  const f = toFriendly(iso);
  if (!f) return iso;
  return `${f.amount} ${f.amount === 1 ? f.unit.slice(0, -1) : f.unit}`;
}

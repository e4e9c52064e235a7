import { describe, expect, it } from 'vitest';
import { DURATION_PATTERN, isDuration, parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['PT2S', 2000],
    ['PT0.5S', 500],
    ['PT1,25S', 1250],
    ['PT5M', 300_000],
    ['PT1H', 3_600_000],
    ['P1D', 86_400_000],
    ['P1DT2H3M4.5S', 86_400_000 + 7_200_000 + 180_000 + 4500],
    ['P2W', 14 * 86_400_000],
    ['PT0S', 0],
    ['PT36H', 129_600_000],
  ])('%s = %d ms', (iso, ms) => {
    expect(parseDuration(iso)).toBe(ms);
  });

  it.each(['', 'P', 'PT', '2S', 'PT2', 'P1Y', 'P1M', 'pt2s', 'PT-1S', 'P1H', 'PT1.S', 'PT1S ', 'P1DT', 'PT1S2M'])(
    'rejects %j with a clear error',
    (bad) => {
      expect(() => parseDuration(bad)).toThrow(/Invalid ISO-8601 duration/);
    },
  );

  it('rejects non-strings without crashing', () => {
    expect(() => parseDuration(42 as unknown as string)).toThrow(/Invalid ISO-8601 duration/);
  });

  it('rejects durations beyond a safe integer of ms', () => {
    expect(() => parseDuration('P99999999999999W')).toThrow(/too long/);
  });
});

describe('isDuration', () => {
  it('agrees with parseDuration', () => {
    expect(isDuration('PT30S')).toBe(true);
    expect(isDuration('P1M')).toBe(false);
    expect(isDuration(30)).toBe(false);
  });

  it('DURATION_PATTERN works as a unicode JSON Schema pattern', () => {
    const re = new RegExp(DURATION_PATTERN, 'u');
    expect(re.test('P1DT2H')).toBe(true);
    expect(re.test('PT')).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { durationText, toFriendly, toIso } from './duration.js';

describe('durations', () => {
  it('shows the largest whole unit and writes ISO-8601', () => {
    expect(toFriendly('PT2S')).toEqual({ amount: 2, unit: 'seconds' });
    expect(toFriendly('PT90M')).toEqual({ amount: 90, unit: 'minutes' });
    expect(toFriendly('P1DT12H')).toEqual({ amount: 36, unit: 'hours' });
    expect(toFriendly('nope')).toBeUndefined();
    expect([toIso(5, 'minutes'), toIso(2, 'days')]).toEqual(['PT5M', 'P2D']);
  });

  it('writes a duration in words, or leaves it as it is', () => {
    expect([durationText('P1D'), durationText('PT2H'), durationText('PT90M'), durationText('bad')]).toEqual([
      '1 day',
      '2 hours',
      '90 minutes',
      'bad',
    ]);
  });
});

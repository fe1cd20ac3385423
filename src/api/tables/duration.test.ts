import { describe, expect, it } from 'vitest';
import { humanDuration, shortHumanDuration, translateTimestampSince } from './duration.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;

describe('humanDuration (apimachinery duration.HumanDuration)', () => {
  it.each([
    [1 * S, '1s'],
    [70 * S, '70s'],
    [119 * S, '119s'],
    [120 * S, '2m'],
    [190 * S, '3m10s'],
    [4 * M + 2 * S, '4m2s'],
    [10 * M + 59 * S, '10m'],
    [70 * M, '70m'],
    [179 * M, '179m'],
    [3 * H + 10 * M, '3h10m'],
    [5 * H, '5h'],
    [8 * H + 30 * M, '8h'],
    [47 * H, '47h'],
    [49 * H, '2d1h'],
    [5 * 24 * H, '5d'],
    [(8 * 24 + 2) * H, '8d'],
    [367 * 24 * H, '367d'],
    [(365 * 2 * 24 + 25) * H, '2y1d'],
    [(365 * 8 * 24 + 2) * H, '8y'],
  ])('%d ms -> %s', (ms, want) => {
    expect(humanDuration(ms)).toBe(want);
  });

  it('tolerates a clock skew under two seconds and flags larger ones', () => {
    expect(humanDuration(-1500)).toBe('0s');
    expect(humanDuration(-500)).toBe('0s');
    expect(humanDuration(-2500)).toBe('<invalid>');
  });
});

describe('shortHumanDuration', () => {
  it.each([
    [45 * S, '45s'],
    [90 * S, '1m'],
    [3 * H + 10 * M, '3h'],
    [49 * H, '2d'],
    [800 * 24 * H, '2y'],
  ])('%d ms -> %s', (ms, want) => {
    expect(shortHumanDuration(ms)).toBe(want);
  });
});

describe('translateTimestampSince', () => {
  it('is <unknown> without a timestamp and the age otherwise', () => {
    const now = new Date('2024-05-01T12:00:00Z');
    expect(translateTimestampSince(undefined, now)).toBe('<unknown>');
    expect(translateTimestampSince('2024-05-01T11:55:58Z', now)).toBe('4m2s');
  });
});

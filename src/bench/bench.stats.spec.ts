import {
  cumulative,
  distribution,
  limitingStage,
  maxFinite,
  percentile,
  perSecond,
  ratePerSecond,
  ratio,
  stageRate,
} from './bench.stats';

describe('bench statistics', () => {
  it('takes nearest-rank percentiles, so every figure is a value that occurred', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted on purpose
    expect(distribution(values)).toEqual({
      count: 100,
      min: 1,
      mean: 50.5,
      p50: 50,
      p95: 95,
      p99: 99,
      max: 100,
    });
  });

  it('handles small samples and a single value', () => {
    expect(distribution([7])).toMatchObject({ p50: 7, p95: 7, p99: 7, max: 7, min: 7 });
    const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 1000];
    expect(distribution(ten)).toMatchObject({ p50: 5, p95: 1000, p99: 1000, max: 1000 });
    expect(percentile(Float64Array.from([1, 2, 3]), 0)).toBe(1);
    expect(percentile(Float64Array.from([1, 2, 3]), 100)).toBe(3);
  });

  it('sorts numerically, not as text', () => {
    expect(distribution([10, 9, 100, 1])).toMatchObject({ min: 1, p50: 9, max: 100 });
  });

  it('leaves out stages never reached and returns null when nothing was', () => {
    expect(distribution([NaN, 5, Infinity])).toMatchObject({ count: 1, max: 5 });
    expect(distribution([NaN])).toBeNull();
    expect(distribution([])).toBeNull();
  });

  it('computes rates over a window and refuses an empty one', () => {
    expect(ratePerSecond(2000, 1000, 2000)).toBe(2000);
    expect(ratePerSecond(500, 0, 250)).toBe(2000);
    expect(ratePerSecond(10, 5, 5)).toBe(0);
    expect(ratePerSecond(0, 0, 1000)).toBe(0);
  });

  it('buckets completion times per second from the origin, with empty seconds as zero', () => {
    const series = perSecond([1000, 1500, 1999, 3500, NaN, 500], 1000);
    expect(series).toEqual([4, 0, 1]);
    expect(cumulative(series)).toEqual([4, 4, 5]);
  });

  it("takes a stage's rate between its own first and last completion", () => {
    expect(stageRate('sent', [2000, 3000, 2500, NaN])).toEqual({ stage: 'sent', items: 3, rate: 3 });
    expect(stageRate('sent', [])).toEqual({ stage: 'sent', items: 0, rate: 0 });
  });

  it('names the earliest stage running at the slowest pace as the limit', () => {
    const stages = [
      { stage: 'recorded', items: 100, rate: 5000 },
      { stage: 'sent', items: 100, rate: 1200 },
      { stage: 'delivered', items: 100, rate: 1190 },
    ];
    expect(limitingStage(stages)?.stage).toBe('sent');
    expect(
      limitingStage([
        { stage: 'a', items: 1, rate: 900 },
        { stage: 'b', items: 1, rate: 1000 },
      ])?.stage,
    ).toBe('a');
    expect(limitingStage([{ stage: 'a', items: 0, rate: 0 }])).toBeNull();
  });

  it('gives pipeline/floor ratios only for measured floors', () => {
    expect(ratio(500, 1000)).toBe(0.5);
    expect(ratio(500, 0)).toBeNull();
    expect(ratio(500, undefined)).toBeNull();
  });

  it('finds the largest finite value of a run too long to spread into Math.max', () => {
    const many = Array.from({ length: 500_000 }, (_, i) => i);
    expect(maxFinite([...many, NaN])).toBe(499_999);
    expect(maxFinite([NaN])).toBeNaN();
  });
});

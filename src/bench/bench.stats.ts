// The benchmark's arithmetic, kept free of I/O so it can be unit-tested: percentiles, rates over a window,
// per-second series, stage rates and which stage limits the pipeline.

export interface Distribution {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/**
 * Nearest-rank percentiles (the smallest value with at least p% of the values at or below it): every
 * reported figure is a latency some alert really had. Non-finite values (a stage never reached) are left out.
 */
export function distribution(values: Iterable<number>): Distribution | null {
  const sorted = Float64Array.from([...values].filter(Number.isFinite)).sort();
  if (sorted.length === 0) return null;
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    count: sorted.length,
    min: sorted[0],
    mean: sum / sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1],
  };
}

/** `sorted` must be ascending and not empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (p <= 0) return sorted[0];
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, rank) - 1];
}

/** Items per second over [startMs, endMs]; 0 for an empty or inverted window. */
export function ratePerSecond(items: number, startMs: number, endMs: number): number {
  const seconds = (endMs - startMs) / 1000;
  return items > 0 && seconds > 0 ? items / seconds : 0;
}

/** How many of `times` fall in each whole second after `originMs` (index 0 is the first second). */
export function perSecond(times: Iterable<number>, originMs: number): number[] {
  const counts: number[] = [];
  for (const t of times) {
    if (!Number.isFinite(t)) continue;
    const i = Math.max(0, Math.floor((t - originMs) / 1000));
    while (counts.length <= i) counts.push(0);
    counts[i]++;
  }
  return counts;
}

/** Running totals of a per-second series. */
export function cumulative(series: number[]): number[] {
  let total = 0;
  return series.map((n) => (total += n));
}

export interface StageRate {
  stage: string;
  /** Items the stage completed. */
  items: number;
  /** Items per second between the stage's first and last completion. */
  rate: number;
}

/** A stage's own rate: what it completed between its first and its last completion. */
export function stageRate(stage: string, times: number[]): StageRate {
  let first = Infinity;
  let last = -Infinity;
  let items = 0;
  for (const t of times) {
    if (!Number.isFinite(t)) continue;
    items++;
    if (t < first) first = t;
    if (t > last) last = t;
  }
  return { stage, items, rate: ratePerSecond(items, first, last) };
}

/**
 * The stage that limits the pipeline. Stages run in series, so a stage can go no faster than the one before
 * it: the limit is the earliest stage whose rate is within `tolerance` of the slowest one (the stages after
 * it only inherit its pace).
 */
export function limitingStage(stages: StageRate[], tolerance = 0.05): StageRate | null {
  const measured = stages.filter((s) => s.rate > 0);
  if (measured.length === 0) return null;
  const slowest = Math.min(...measured.map((s) => s.rate));
  return measured.find((s) => s.rate <= slowest * (1 + tolerance)) ?? null;
}

/** pipeline / floor, or null when the floor was not measured. */
export function ratio(pipeline: number, floor: number | undefined): number | null {
  return floor && floor > 0 ? pipeline / floor : null;
}

/** The largest finite value, or NaN (no spread: runs hold far more values than a call takes arguments). */
export function maxFinite(values: Iterable<number>): number {
  let max = -Infinity;
  for (const v of values) if (Number.isFinite(v) && v > max) max = v;
  return max === -Infinity ? NaN : max;
}

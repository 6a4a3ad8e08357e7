/**
 * The delivery-health state machine, pure: what a provider's window of final outcomes means for its place
 * in the route. HEALTHY providers keep their configured order; DEMOTED ones go behind every healthy one.
 * Hysteresis: separate thresholds to leave and to come back, a minimum time in a state, and no change at
 * all on too small a sample.
 */
export type HealthState = 'HEALTHY' | 'DEMOTED';
export type RouteDirection = 'demoted' | 'restored';

/** One provider's final outcomes in the window: a message delivered, or not (refused, expired, silent). */
export interface WindowStats {
  sample: number;
  delivered: number;
  /** p90 from acceptance to the DELIVERED receipt, over the delivered ones; null when none were. */
  delayP90Ms: number | null;
}

export interface HealthThresholds {
  minSample: number;
  /** Percent: demoted below it. */
  demoteBelowPercent: number;
  /** Percent: restored at or above it. */
  restoreAtPercent: number;
  demoteDelayMs: number;
  restoreDelayMs: number;
  minStateMs: number;
}

export interface HealthStatus {
  state: HealthState;
  since: Date;
  /** Why it is in this state; null for the state a provider starts in (no change made it). */
  reason: string | null;
}

export interface Decision extends HealthStatus {
  change?: RouteDirection;
}

export const NO_OUTCOMES: WindowStats = Object.freeze({ sample: 0, delivered: 0, delayP90Ms: null });

export function decide(
  prev: HealthStatus | undefined,
  stats: WindowStats,
  now: Date,
  t: HealthThresholds,
): Decision {
  const current: HealthStatus = prev ?? { state: 'HEALTHY', since: now, reason: null };
  if (stats.sample < t.minSample || stats.sample === 0) return current;
  // The state a provider starts in was never chosen: only a change starts the minimum time.
  if (current.reason !== null && now.getTime() - current.since.getTime() < t.minStateMs) return current;
  const percent = (stats.delivered / stats.sample) * 100;
  const delay = stats.delayP90Ms;
  if (current.state === 'HEALTHY') {
    const why: string[] = [];
    if (percent < t.demoteBelowPercent)
      why.push(`delivery health ${pct(percent)} < ${t.demoteBelowPercent}%`);
    if (delay !== null && delay > t.demoteDelayMs)
      why.push(`p90 delivery delay ${secs(delay)} > ${secs(t.demoteDelayMs)}`);
    if (why.length === 0) return current;
    return { state: 'DEMOTED', since: now, reason: `${why.join(', ')}${tally(stats)}`, change: 'demoted' };
  }
  const recovered = percent >= t.restoreAtPercent && (delay === null || delay <= t.restoreDelayMs);
  if (!recovered || stats.delivered === 0) return current;
  const delayText = delay === null ? '' : `, p90 delivery delay ${secs(delay)} <= ${secs(t.restoreDelayMs)}`;
  return {
    state: 'HEALTHY',
    since: now,
    reason: `delivery health ${pct(percent)} >= ${t.restoreAtPercent}%${delayText}${tally(stats)}`,
    change: 'restored',
  };
}

/** Floored, so "79.6%" never reads as the 80% it did not reach. */
function pct(percent: number): string {
  return `${Math.floor(percent)}%`;
}

function secs(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

function tally(stats: WindowStats): string {
  return ` (${stats.delivered} of ${stats.sample} delivered)`;
}

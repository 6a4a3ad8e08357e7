import { AllProvidersFailedError, InFlightUnknownError, LeaseHeldError } from './queue.errors';

export const BACKOFF_STRATEGY = 'alert-deadline';
const BASE_MS = 1000;
const CAP_MS = 60000;

/**
 * Bull custom backoff: exponential with jitter, never past the alert's deadline (so EXPIRED is recorded on
 * time), and for a held lease exactly until the lease ends. The decision rests on the error's type.
 */
export function retryDelay(
  attemptsMade: number,
  err: unknown,
  now = Date.now(),
  random = Math.random,
): number {
  if (err instanceof LeaseHeldError) return Math.max(100, err.leaseUntil.getTime() - now + 250);
  const exp = Math.min(CAP_MS, BASE_MS * 2 ** Math.max(0, attemptsMade - 1));
  // "Equal jitter": half fixed, half random, so retries of a burst spread out but keep growing.
  const delay = Math.round(exp / 2 + random() * (exp / 2));
  if (err instanceof AllProvidersFailedError) {
    const untilDeadline = err.deadlineAt.getTime() - now;
    return Math.max(50, Math.min(delay, untilDeadline + 50));
  }
  if (err instanceof InFlightUnknownError) {
    const wait = Math.max(delay, 2000);
    // Back when the provider's "not found" can be believed, so the verdict on the attempt is not late.
    if (!err.askAgainAt) return wait;
    return Math.max(100, Math.min(wait, err.askAgainAt.getTime() - now + 100));
  }
  return delay;
}

/**
 * The strategy as Bull calls it: `(attemptsMade, err, strategyOptions)`. Bull's third argument (null
 * without backoff options) must not land in `now`: `deadline - null` would schedule retries decades out.
 */
export function bullRetryDelay(attemptsMade: number, err: unknown): number {
  return retryDelay(attemptsMade, err);
}

import { AllProvidersFailedError, InFlightUnknownError, LeaseHeldError } from './queue.errors';
import { bullRetryDelay, retryDelay } from './retry-backoff';

const now = Date.parse('2026-11-22T12:00:00Z');
const far = new Date(now + 3600_000);

describe('retryDelay', () => {
  it('grows exponentially with jitter and is capped', () => {
    const err = new AllProvidersFailedError('HTTP_500', far, false);
    expect(retryDelay(1, err, now, () => 0)).toBe(500);
    expect(retryDelay(1, err, now, () => 1)).toBe(1000);
    expect(retryDelay(4, err, now, () => 1)).toBe(8000);
    expect(retryDelay(30, err, now, () => 1)).toBe(60000);
    expect(retryDelay(30, err, now, () => 0)).toBe(30000);
  });

  it('never schedules past the deadline', () => {
    const err = new AllProvidersFailedError('HTTP_500', new Date(now + 1200), false);
    expect(retryDelay(10, err, now, () => 1)).toBe(1250);
  });

  it('waits out a held lease', () => {
    expect(retryDelay(1, new LeaseHeldError(new Date(now + 10_000)), now)).toBe(10_250);
  });

  it('asks again about an unknown in-flight attempt after 2 s, or when its "not found" settles if sooner', () => {
    expect(retryDelay(1, new InFlightUnknownError('twilio', new Error('x')), now, () => 0)).toBe(2000);
    const soon = new InFlightUnknownError('twilio', new Error('x'), new Date(now + 700));
    expect(retryDelay(1, soon, now, () => 0)).toBe(800);
    const later = new InFlightUnknownError('twilio', new Error('x'), new Date(now + 60_000));
    expect(retryDelay(1, later, now, () => 0)).toBe(2000);
  });

  it('as Bull calls it (attemptsMade, err, null options) still caps at the deadline and the lease', () => {
    const call = bullRetryDelay as unknown as (attempts: number, err: unknown, options: null) => number;
    const soon = new AllProvidersFailedError('HTTP_500', new Date(Date.now() + 1000), false);
    expect(call(10, soon, null)).toBeLessThanOrEqual(1050);
    expect(call(1, new LeaseHeldError(new Date(Date.now() + 2000)), null)).toBeLessThanOrEqual(2250);
  });
});

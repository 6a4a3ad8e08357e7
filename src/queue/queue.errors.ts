// Typed outcomes the queue processor turns into Bull behaviour (retry with backoff, or stop). delivery/ throws
// them; they live here because retry-backoff reads them and queue/ sits below delivery/ (docs/design.md).

/** Every provider failed transiently or throttled: retry the job with backoff until the deadline. */
export class AllProvidersFailedError extends Error {
  override readonly name = 'AllProvidersFailedError';
  constructor(
    readonly lastCode: string,
    readonly deadlineAt: Date,
    readonly rateLimited: boolean,
  ) {
    super(`every provider failed; last error ${lastCode}`);
  }
}

/** Another dispatcher holds the alert's lease (it may still be sending): try again after the lease. */
export class LeaseHeldError extends Error {
  override readonly name = 'LeaseHeldError';
  constructor(readonly leaseUntil: Date) {
    super(`alert is being sent by another dispatcher until ${leaseUntil.toISOString()}`);
  }
}

/**
 * We could not find out whether a provider took an in-flight attempt; never resend blind, ask again later.
 * `askAgainAt`: when the provider's "no such message" can be believed; the retry comes no later than that.
 */
export class InFlightUnknownError extends Error {
  override readonly name = 'InFlightUnknownError';
  constructor(
    readonly provider: string,
    override readonly cause: unknown,
    readonly askAgainAt?: Date,
  ) {
    super(`could not confirm whether ${provider} accepted an in-flight attempt`);
  }
}

/**
 * This dispatcher's claim on the alert no longer stands (another dispatcher claimed it after our lease ran
 * out, or it moved on): nothing more is written or sent under it. The job ends; the new holder's job decides.
 */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
  constructor(
    readonly notificationId: string,
    readonly generation: number,
  ) {
    super(`lost the send lease (claim ${generation}) on alert ${notificationId}`);
  }
}

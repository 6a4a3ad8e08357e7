/** The settings that bound one provider step (a plain shape: config.schema.ts validates with it). */
export interface TimingSettings {
  PROVIDER_TIMEOUT_MS: number;
  CIRCUIT_TIMEOUT_MS: number;
  PROVIDER_RATE_LIMIT_WAIT_MS: number;
  PROVIDER_LOOKUP_GRACE_MS: number;
}

/** How long the parts of one provider step can take, from the settings that bound them. */
export interface SendTimings {
  /**
   * An attempt left in flight by another dispatcher is not asked about sooner than this after it started:
   * the longest its request can run (the breaker's timeout or the adapter's, whichever is later) plus the
   * grace its own dispatcher would have waited before asking. Asked sooner, a slow provider that has not
   * recorded the message yet would answer "no such message", and the alert would be sent twice.
   */
  askAfterMs: number;
  /**
   * The longest one step can legitimately run: rate-limit wait, the call (breaker timeout, then the late
   * answer up to the request timeout), the grace and the lookup after a timeout. A step running longer is
   * stuck, and its lease is no longer renewed.
   */
  stepMs: number;
}

// Event-loop and database delays on top of the configured bounds.
const SLACK_MS = 5000;

export function sendTimings(s: TimingSettings): SendTimings {
  const call = Math.max(s.PROVIDER_TIMEOUT_MS, s.CIRCUIT_TIMEOUT_MS);
  return {
    askAfterMs: call + s.PROVIDER_LOOKUP_GRACE_MS,
    stepMs:
      s.PROVIDER_RATE_LIMIT_WAIT_MS +
      s.CIRCUIT_TIMEOUT_MS +
      s.PROVIDER_TIMEOUT_MS +
      s.PROVIDER_LOOKUP_GRACE_MS +
      s.PROVIDER_TIMEOUT_MS +
      SLACK_MS,
  };
}

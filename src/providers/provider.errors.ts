import type { ProviderName } from '../config/config.schema';

// Retry or give up is decided by these types, never by matching error text.
export abstract class ProviderError extends Error {
  abstract readonly kind: 'permanent' | 'transient' | 'rate-limited';
  constructor(
    readonly provider: ProviderName,
    /** The vendor's code as a string ("21211", "HTTP_503", "ESME_RTHROTTLED"), or ours ("TIMEOUT"). */
    readonly code: string,
    detail: string,
  ) {
    super(detail);
  }
}

/** The number is bad or unreachable, or the recipient opted out: no retry anywhere, no breaker count. */
export class PermanentRecipientError extends ProviderError {
  override readonly name = 'PermanentRecipientError';
  readonly kind = 'permanent' as const;
}

/** 5xx, timeouts, refused connections, open circuits: counts against the breaker; try the next provider. */
export class TransientProviderError extends ProviderError {
  override readonly name = 'TransientProviderError';
  readonly kind = 'transient' as const;
}

/** 429 or SMPP throttling: back off and fail over; the message itself is fine. */
export class RateLimitedError extends ProviderError {
  override readonly name = 'RateLimitedError';
  readonly kind = 'rate-limited' as const;
  constructor(provider: ProviderName, code: string, detail: string, readonly retryAfterMs?: number) {
    super(provider, code, detail);
  }
}

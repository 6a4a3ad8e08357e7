import { scrubPersonalData } from '../common/phone-mask';
import type { ProviderName } from '../config/config.schema';

// Retry or give up is decided by these types, never by matching error text. The text is the vendor's
// (Twilio's 21211 quotes the 'To' number) with phone and card numbers masked here, where it is built, so
// no log, metric, history row or support answer downstream ever holds the number from it.
export abstract class ProviderError extends Error {
  abstract readonly kind: 'permanent' | 'transient' | 'rate-limited' | 'cannot-send';
  constructor(
    readonly provider: ProviderName,
    /** The vendor's code as a string ("21211", "HTTP_503", "ESME_RTHROTTLED"), or ours ("TIMEOUT"). */
    readonly code: string,
    detail: string,
  ) {
    super(scrubPersonalData(detail));
  }
}

/** The number is bad or unreachable, or the recipient opted out: no retry anywhere, no breaker count. */
export class PermanentRecipientError extends ProviderError {
  override readonly name: string = 'PermanentRecipientError';
  readonly kind = 'permanent' as const;
}

/** 5xx, timeouts, refused connections, open circuits: counts against the breaker; try the next provider. */
export class TransientProviderError extends ProviderError {
  override readonly name: string = 'TransientProviderError';
  readonly kind = 'transient' as const;
}

/**
 * This provider cannot carry this message at all, whatever its health: no template registered for the
 * alert's key (template-only vendors), or a kind of message it does not send. Nothing was sent and asking
 * this provider again will not change it, so the next provider is tried at once, the breaker does not
 * count it (errorFilter), and an alert that no provider on its route can send ends FAILED (CANNOT_SEND)
 * instead of being retried until its deadline. `code` says why: NO_TEMPLATE, NO_TEMPLATE_CODE, ...
 */
export class CannotSendMessageError extends ProviderError {
  override readonly name: string = 'CannotSendMessageError';
  readonly kind = 'cannot-send' as const;
}

/** 429 or SMPP throttling: back off and fail over; the message itself is fine. */
export class RateLimitedError extends ProviderError {
  override readonly name: string = 'RateLimitedError';
  readonly kind = 'rate-limited' as const;
  constructor(
    provider: ProviderName,
    code: string,
    detail: string,
    readonly retryAfterMs?: number,
  ) {
    super(provider, code, detail);
  }
}

/**
 * The request may have reached the provider but its answer never came back (a timeout, or the connection
 * reset after the request was written). It may have taken the message, so before anything is sent
 * elsewhere the provider is asked (findSent) until its answer is final; this type, not the code, is what
 * triggers that (delivery/provider-step.ts). A refused connection is not this: nothing was sent.
 */
export class SendOutcomeUnknownError extends TransientProviderError {
  override readonly name: string = 'SendOutcomeUnknownError';
}

/** The provider did not answer in time: the commonest unknown outcome. */
export class ProviderTimeoutError extends SendOutcomeUnknownError {
  override readonly name: string = 'ProviderTimeoutError';
  constructor(provider: ProviderName, detail: string) {
    super(provider, 'TIMEOUT', detail);
  }
}

/** The provider's breaker is open (or its half-open probe is already out): nothing was sent. */
export class CircuitOpenError extends TransientProviderError {
  override readonly name: string = 'CircuitOpenError';
  constructor(provider: ProviderName, lastFailure?: string) {
    super(
      provider,
      'CIRCUIT_OPEN',
      `${provider} circuit breaker is open${lastFailure ? ` (last failure ${lastFailure})` : ''}`,
    );
  }
}

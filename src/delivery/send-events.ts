import { NotificationStatus } from '../notifications/notification-status';
import { AttemptRow, AttemptStatus, NewEvent, NotificationRow } from '../notifications/notification.types';
import { ProviderError } from '../providers/provider.errors';

/**
 * The pure part of SendRecorder's writes: what an attempt's status is, what the history says and why.
 * Texts are returned unmasked; SendRecorder masks them as it writes (an unmapped SDK message may not be).
 */

/**
 * A failed attempt's status. `notSent`: the provider certainly does not have it (refused by the breaker,
 * or asked after a timeout); a cannot-send error never reached it either.
 */
export function failedAttemptStatus(err: ProviderError, notSent: boolean): AttemptStatus {
  if (notSent || err.kind === 'cannot-send') return AttemptStatus.NOT_SENT;
  return err.kind === 'rate-limited' ? AttemptStatus.RATE_LIMITED : AttemptStatus.FAILED;
}

/** The history event of an alert's change to `status`, with the error that caused it. */
export function statusEvent(
  notificationId: string,
  at: Date,
  status: NotificationStatus,
  errorCode: string | null,
  detail: string,
  provider?: string,
): NewEvent {
  return { notificationId, at, type: status, status, provider, errorCode, detail };
}

/** Why an alert expired, naming the deadline and the last error (or what overrides it). */
export function expiryDetail(n: NotificationRow, lastCode: string | null, why?: string): string {
  return `deadline ${n.deadline_at?.toISOString()} passed; last error ${lastCode ?? 'none'}${why ? `: ${why}` : ''}`;
}

/** The decision on an attempt nobody can confirm, as support reads it in the history. */
export function unknownOutcomeDetail(attempt: AttemptRow, policy: 'resend' | 'expire'): string {
  const lost = `${attempt.provider} cannot say whether it took attempt ${attempt.attempt_no}`;
  return policy === 'resend'
    ? `${lost}: sending again (UNKNOWN_OUTCOME_POLICY=resend; the cardholder may get it twice)`
    : `${lost}: not sent again (UNKNOWN_OUTCOME_POLICY=expire)`;
}

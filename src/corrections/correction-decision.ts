import type { ContactRow } from '../contacts/contacts.repository';
import { NotificationStatus, SkipReason } from '../notifications/notification-status';

/** Why a reversal gets no correction SMS although it was valid: skipped like an alert, or because of its original. */
export enum CorrectionSkipReason {
  /** No alert for the original transactionId arrived within CORRECTION_ORIGINAL_WAIT_SECONDS. */
  NO_ORIGINAL = 'NO_ORIGINAL',
  /** The original alert was skipped for a reason the cardholder's contact no longer has (never told of the charge). */
  ORIGINAL_SKIPPED = 'ORIGINAL_SKIPPED',
}

/** Why a reversal is refused: it contradicts its original, so no SMS may claim it. */
export enum CorrectionRefusal {
  EXCEEDS_ORIGINAL = 'EXCEEDS_ORIGINAL',
  CURRENCY_MISMATCH = 'CURRENCY_MISMATCH',
  CARD_MISMATCH = 'CARD_MISMATCH',
}

export type CorrectionReason = SkipReason | CorrectionSkipReason | CorrectionRefusal;

export interface OriginalFacts {
  status: NotificationStatus;
  cardId: string;
  amountMinor: number;
  currency: string;
}

export interface ReversalFacts {
  cardId: string;
  amountMinor: number;
  currency: string;
  /** Seconds since the reversal reached Alertline. */
  waitedSeconds: number;
  /** What the reversals before this one (not refused) gave back of the same original. */
  reversedBefore: number;
}

export type CorrectionDecision =
  | { action: 'wait'; detail: string }
  | { action: 'refuse'; reason: CorrectionRefusal; detail: string }
  | { action: 'skip'; reason: SkipReason | CorrectionSkipReason; detail: string }
  | { action: 'send'; phoneE164: string; reversedInAll: number; detail: string };

// The original has not reached a provider yet but still may: the correction must not overtake it.
const ORIGINAL_PENDING = new Set([
  NotificationStatus.RECEIVED,
  NotificationStatus.QUEUED,
  NotificationStatus.SENDING,
]);

/**
 * Whether a reversal gets its correction SMS now, later, or never and why (docs/design.md, "Correction
 * alerts"). The order matters: a reversal that contradicts its original is refused as soon as the original
 * is known; then it waits while the original may still be sent; then the cardholder's contact and
 * threshold are checked as for an alert (the threshold on the original amount: a 5.00 refund of a 500.00
 * purchase is worth telling whoever was told of the purchase); then the original's outcome.
 */
export function decideCorrection(
  reversal: ReversalFacts,
  original: OriginalFacts | null,
  contact: ContactRow | undefined,
  originalWaitSeconds: number,
): CorrectionDecision {
  if (!original) {
    return reversal.waitedSeconds >= originalWaitSeconds
      ? {
          action: 'skip',
          reason: CorrectionSkipReason.NO_ORIGINAL,
          detail: `no alert for the original transaction within ${originalWaitSeconds} s`,
        }
      : { action: 'wait', detail: 'no alert for the original transaction yet' };
  }
  if (original.cardId !== reversal.cardId) {
    return {
      action: 'refuse',
      reason: CorrectionRefusal.CARD_MISMATCH,
      detail: 'cardId differs from the original',
    };
  }
  if (original.currency !== reversal.currency) {
    return {
      action: 'refuse',
      reason: CorrectionRefusal.CURRENCY_MISMATCH,
      detail: `currency ${reversal.currency}, the original is in ${original.currency}`,
    };
  }
  const reversedInAll = reversal.reversedBefore + reversal.amountMinor;
  if (reversedInAll > original.amountMinor) {
    return {
      action: 'refuse',
      reason: CorrectionRefusal.EXCEEDS_ORIGINAL,
      detail: `${reversal.amountMinor} would make ${reversedInAll} reversed of ${original.amountMinor} (${reversal.reversedBefore} before)`,
    };
  }
  if (ORIGINAL_PENDING.has(original.status)) {
    return { action: 'wait', detail: `the original is ${original.status}` };
  }
  if (!contact || contact.deleted) return skip(SkipReason.NO_CONTACT);
  if (!contact.sms_alerts) return skip(SkipReason.ALERTS_DISABLED);
  if (!contact.phone_e164) return skip(SkipReason.INVALID_PHONE);
  if (contact.min_amount_minor !== null && original.amountMinor < Number(contact.min_amount_minor)) {
    return skip(SkipReason.BELOW_THRESHOLD, 'the original amount is below the cardholder threshold');
  }
  if (original.status === NotificationStatus.SKIPPED) {
    return skip(CorrectionSkipReason.ORIGINAL_SKIPPED, 'the cardholder was never told of the original');
  }
  const told =
    original.status === NotificationStatus.SENT || original.status === NotificationStatus.DELIVERED;
  return {
    action: 'send',
    phoneE164: contact.phone_e164,
    reversedInAll,
    detail: told
      ? `after the original (${original.status})`
      : `self-contained: the original ${original.status}`,
  };
}

function skip(reason: SkipReason | CorrectionSkipReason, detail?: string): CorrectionDecision {
  return { action: 'skip', reason, detail: detail ?? reason };
}

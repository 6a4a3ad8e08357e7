import type { ContactRow } from '../contacts/contacts.repository';
import { NotificationStatus } from '../notifications/notification-status';

/**
 * Only alerts that ended without reaching the handset may be sent again. SKIPPED is left out on purpose:
 * those were never sent for a reason (alerts off, no contact), and a resend must not override it.
 */
export const RESENDABLE_STATUSES: readonly NotificationStatus[] = [
  NotificationStatus.FAILED,
  NotificationStatus.UNDELIVERED,
  NotificationStatus.EXPIRED,
];

export function isResendable(status: NotificationStatus): boolean {
  return RESENDABLE_STATUSES.includes(status);
}

export type ResendTarget =
  { ok: true; phoneE164: string; contactVersion: number } | { ok: false; reason: string };

/**
 * Where a resend goes: the cardholder's contact as it is now, not the number the first SMS used (that
 * number may be why it failed). A contact that would make ingest skip the alert refuses the resend too,
 * and so does a number a provider flagged as unreachable: it would only fail again, at a cost.
 */
export function resendTarget(contact: ContactRow | undefined): ResendTarget {
  if (!contact || contact.deleted)
    return { ok: false, reason: 'the cardholder has no contact on record any more' };
  if (!contact.sms_alerts) return { ok: false, reason: 'the cardholder has turned SMS alerts off' };
  if (!contact.phone_e164) {
    const why = contact.phone_invalid_reason ? ` (${contact.phone_invalid_reason})` : '';
    return { ok: false, reason: `the contact's phone number is not a valid mobile number${why}` };
  }
  if (contact.flagged_reason) {
    return {
      ok: false,
      reason: `a provider flagged the contact's number (${contact.flagged_reason}); it needs a new number first`,
    };
  }
  return { ok: true, phoneE164: contact.phone_e164, contactVersion: Number(contact.version) };
}

import type { ContactRow } from '../contacts/contacts.repository';
import { SkipReason } from '../notifications/notification-status';
import type { TransactionEvent } from './transaction-event.schema';

export type Decision = { send: true; phoneE164: string } | { send: false; reason: SkipReason };

/** Whether a transaction gets an SMS, and if not, the reason support will see. */
export function decide(event: TransactionEvent, contact: ContactRow | undefined): Decision {
  if (!contact || contact.deleted) return { send: false, reason: SkipReason.NO_CONTACT };
  if (!contact.sms_alerts) return { send: false, reason: SkipReason.ALERTS_DISABLED };
  if (!contact.phone_e164) return { send: false, reason: SkipReason.INVALID_PHONE };
  if (contact.min_amount_minor !== null && event.amountMinor < Number(contact.min_amount_minor)) {
    return { send: false, reason: SkipReason.BELOW_THRESHOLD };
  }
  return { send: true, phoneE164: contact.phone_e164 };
}

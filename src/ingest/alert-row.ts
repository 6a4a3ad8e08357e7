import { containsCardNumber } from '../common/card-number';
import type { ContactRow } from '../contacts/contacts.repository';
import { failureReason } from '../kafka/poison';
import { NotificationStatus } from '../notifications/notification-status';
import { NewNotification } from '../notifications/notification.types';
import { renderAlertText } from '../rendering/alert-text';
import { decide } from './alert-decision';
import type { TransactionEvent } from './transaction-event.schema';
import { newTimeId } from '../notifications/alert-id';

export interface AlertSettings {
  bankName: string;
  bankPhone: string;
  timeZone: string;
  deadlineSeconds: number;
}

export interface RowSource {
  now: Date;
  partition: number;
  offset: string;
}

export type AlertRowOutcome =
  { row: NewNotification } | { code: string; detail: string; withhold?: string[] };

/**
 * The alert row for one valid event (QUEUED with its text, or SKIPPED with the reason), or why it cannot
 * have one. Rendering is pure work on this event's values, so whatever it throws belongs to the event
 * (RENDER_FAILED). The merchant as shown and the rendered text are checked for a card number once more:
 * two fields that are harmless alone ("SHOP 4111 1111 1111" and "1111") make one in "SHOP 4111 1111 1111,
 * 1111"; both fields are then withheld from the DLQ copy.
 */
export function toAlertRow(
  event: TransactionEvent,
  contact: ContactRow | undefined,
  settings: AlertSettings,
  source: RowSource,
): AlertRowOutcome {
  // Whether or not an SMS goes out, the merchant is shown joined (the SMS, the support console).
  if (event.merchantCity && containsCardNumber(`${event.merchantName}, ${event.merchantCity}`))
    return joinedPan;
  let row: NewNotification;
  try {
    row = buildRow(event, contact, settings, source);
  } catch (err) {
    return {
      code: 'RENDER_FAILED',
      detail: `${failureReason(err)}: ${(err as Error).message}`.slice(0, 300),
    };
  }
  if (row.body !== null && containsCardNumber(row.body)) return joinedPan;
  return { row };
}

const joinedPan: AlertRowOutcome = {
  code: 'CARD_NUMBER_DETECTED',
  detail: 'merchantName, merchantCity: joined in the alert text they make a full card number',
  withhold: ['merchantName', 'merchantCity'],
};

function buildRow(
  event: TransactionEvent,
  contact: ContactRow | undefined,
  settings: AlertSettings,
  { now, partition, offset }: RowSource,
): NewNotification {
  const decision = decide(event, contact);
  const authorisedAt = new Date(event.authorisedAt);
  const text = decision.send
    ? renderAlertText({
        bankName: settings.bankName,
        bankPhone: settings.bankPhone,
        cardLast4: event.cardLast4,
        amountMinor: event.amountMinor,
        currency: event.currency,
        merchantName: event.merchantName,
        merchantCity: event.merchantCity,
        authorisedAt,
        timeZone: settings.timeZone,
        locale: contact?.locale ?? 'en',
      })
    : null;
  return {
    id: newTimeId(),
    transactionId: event.transactionId,
    eventId: event.eventId,
    cardholderId: event.cardholderId,
    cardId: event.cardId,
    cardLast4: event.cardLast4,
    amountMinor: event.amountMinor,
    currency: event.currency,
    merchantName: event.merchantName,
    merchantCity: event.merchantCity ?? null,
    channel: event.channel ?? null,
    authorisedAt,
    receivedAt: now,
    status: decision.send ? NotificationStatus.QUEUED : NotificationStatus.SKIPPED,
    skipReason: decision.send ? null : decision.reason,
    phoneE164: decision.send ? decision.phoneE164 : (contact?.phone_e164 ?? null),
    contactVersion: contact ? Number(contact.version) : null,
    locale: text?.locale ?? contact?.locale ?? null,
    body: text?.body ?? null,
    segments: text?.segments ?? null,
    encoding: text?.encoding ?? null,
    templateKey: text?.template.key ?? null,
    templateParams: text?.template.params ?? null,
    deadlineAt: decision.send ? new Date(now.getTime() + settings.deadlineSeconds * 1000) : null,
    sourcePartition: partition,
    sourceOffset: offset,
  };
}

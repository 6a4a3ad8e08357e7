import type { OutgoingRecord } from '../kafka/kafka.publisher';
import type { ReplyRow } from './replies.repository';

export const REPLY_EVENT_VERSION = 1;

/**
 * A reply as published on KAFKA_TOPIC_REPLIES (docs/contracts.md, "card.alerts.replies"). `replyId` is
 * stable across republishes: the fraud system dedupes on it. Keyed by the linked cardholder, so one
 * cardholder's replies stay in order; an unlinked reply is keyed by its own id.
 */
export function replyRecord(r: ReplyRow): OutgoingRecord {
  const value = {
    version: REPLY_EVENT_VERSION,
    replyId: r.id,
    provider: r.provider,
    providerMessageId: r.provider_message_id,
    from: r.phone_e164,
    to: r.to_number,
    text: r.text,
    classification: r.classification,
    keyword: r.keyword,
    receivedAt: r.received_at.toISOString(),
    linked: r.notification_id !== null,
    alert:
      r.notification_id === null
        ? null
        : {
            notificationId: r.notification_id,
            kind: r.notification_kind,
            transactionId: r.transaction_id,
            cardholderId: r.cardholder_id,
            cardLast4: r.card_last4,
            sentAt: r.alert_sent_at?.toISOString() ?? null,
          },
  };
  return {
    key: r.cardholder_id ?? r.id,
    value: JSON.stringify(value),
    headers: { 'reply-id': r.id, 'event-type': 'ALERT_REPLY' },
  };
}

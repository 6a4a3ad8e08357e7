import { randomUUID } from 'node:crypto';
import { NotificationStatus } from '../../src/notifications/notification-status';
import type { NewNotification } from '../../src/notifications/notification.types';

/** A QUEUED alert as ingest writes it, for integration specs that start from a row; override what matters. */
export function newNotification(overrides: Partial<NewNotification> = {}): NewNotification {
  const id = overrides.id ?? randomUUID();
  const at = overrides.receivedAt ?? new Date();
  return {
    id,
    transactionId: `txn-${id}`,
    eventId: `e-${id}`,
    cardholderId: 'ch',
    cardId: 'card',
    cardLast4: '1234',
    amountMinor: 100,
    currency: 'GBP',
    merchantName: 'M',
    merchantCity: null,
    channel: null,
    authorisedAt: at,
    receivedAt: at,
    status: NotificationStatus.QUEUED,
    skipReason: null,
    phoneE164: '+447911123456',
    contactVersion: 1,
    locale: 'en',
    body: 'hello',
    segments: 1,
    encoding: 'GSM-7',
    templateKey: null,
    templateParams: null,
    deadlineAt: new Date(at.getTime() + 3600_000),
    sourcePartition: 0,
    sourceOffset: '0',
    ...overrides,
  };
}

import type { TemplateParam } from '../rendering/template.types';
import { NotificationStatus, SkipReason } from './notification-status';

export interface NewNotification {
  id: string;
  transactionId: string;
  eventId: string;
  cardholderId: string;
  cardId: string;
  cardLast4: string;
  amountMinor: number;
  currency: string;
  merchantName: string;
  merchantCity: string | null;
  channel: string | null;
  authorisedAt: Date;
  receivedAt: Date;
  status: NotificationStatus.QUEUED | NotificationStatus.SKIPPED;
  skipReason: SkipReason | null;
  phoneE164: string | null;
  contactVersion: number | null;
  locale: string | null;
  body: string | null;
  segments: number | null;
  encoding: string | null;
  /** The alert as a template (rendering/alert-template.ts); null when no SMS is sent. */
  templateKey: string | null;
  templateParams: TemplateParam[] | null;
  deadlineAt: Date | null;
  sourcePartition: number;
  sourceOffset: string;
}

export interface NotificationRow {
  id: string;
  transaction_id: string;
  event_id: string;
  cardholder_id: string;
  card_id: string;
  card_last4: string;
  amount_minor: string;
  currency: string;
  merchant_name: string;
  merchant_city: string | null;
  channel: string | null;
  authorised_at: Date;
  received_at: Date;
  status: NotificationStatus;
  skip_reason: SkipReason | null;
  /** Plain only in rows written before encryption at rest and not yet sealed by the re-wrap job. */
  phone_e164: string | null;
  contact_version: string | null;
  locale: string | null;
  /** Plain only in rows written before encryption at rest and not yet sealed by the re-wrap job. */
  body: string | null;
  /** The key-encryption key (DATA_KEYS id) that wrapped this row's data key. */
  data_key_id: string | null;
  wrapped_key: Buffer | null;
  phone_enc: Buffer | null;
  body_enc: Buffer | null;
  /** When the retention purge removed the number, the text and the provider's error texts. */
  purged_at: Date | null;
  segments: number | null;
  encoding: string | null;
  /** Absent from rows read by narrower queries; null for alerts without an SMS. */
  template_key?: string | null;
  /** Plain only on rows from before they were sealed (migration 1795555000000); new rows use the _enc. */
  template_params?: TemplateParam[] | null;
  template_params_enc?: Buffer | null;
  deadline_at: Date | null;
  provider: string | null;
  provider_message_id: string | null;
  last_error_code: string | null;
  last_error_detail: string | null;
  overdue: boolean;
  lease_until: Date | null;
  /** Incremented by every claim: the fencing token a sending dispatcher's writes must still match. */
  lease_generation: number;
  /** ALERT for a transaction, CORRECTION for a reversal or refund of one (docs/design.md, "Correction alerts"). */
  kind: 'ALERT' | 'CORRECTION';
  /** A correction's original alert; null for alerts and for a correction whose original has not arrived. */
  original_notification_id: string | null;
  accepted_at: Date | null;
  final_at: Date | null;
  updated_at: Date;
}

export interface EventRow {
  id: string;
  notification_id: string;
  at: Date;
  type: string;
  status: NotificationStatus | null;
  provider: string | null;
  provider_message_id: string | null;
  error_code: string | null;
  detail: string | null;
}

export interface NewEvent {
  notificationId: string;
  at: Date;
  type: string;
  status?: NotificationStatus | null;
  provider?: string | null;
  providerMessageId?: string | null;
  errorCode?: string | null;
  detail?: string | null;
}

export interface AttemptRow {
  id: string;
  notification_id: string;
  attempt_no: number;
  provider: string;
  status: AttemptStatus;
  provider_message_id: string | null;
  error_code: string | null;
  error_detail: string | null;
  segments: number | null;
  /** What the handset got when it differs from the alert's body (a template vendor's signature + template). */
  handset_text?: string | null;
  /** handset_text sealed under the alert's data key (DataCipher.sealBeside); cleared by the purge. */
  handset_text_enc?: Buffer | null;
  started_at: Date;
  finished_at: Date | null;
}

export enum AttemptStatus {
  IN_FLIGHT = 'IN_FLIGHT',
  ACCEPTED = 'ACCEPTED',
  REJECTED = 'REJECTED',
  FAILED = 'FAILED',
  RATE_LIMITED = 'RATE_LIMITED',
  /** Recovered after a crash: the provider had no record of it, so it was never sent. */
  NOT_SENT = 'NOT_SENT',
}

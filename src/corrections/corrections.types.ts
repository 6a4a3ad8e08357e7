import { NotificationStatus } from '../notifications/notification-status';
import type { RenderedTemplate } from '../rendering/template.types';
import type { ReversalEvent } from './reversal-event.schema';

/** A reversal's row and the shapes the corrections repository reads and writes. */
export enum ReversalState {
  WAITING_FOR_ORIGINAL = 'WAITING_FOR_ORIGINAL',
  QUEUED = 'QUEUED',
  SKIPPED = 'SKIPPED',
  REFUSED = 'REFUSED',
}

export interface NewReversal {
  event: ReversalEvent;
  notificationId: string;
  receivedAt: Date;
  partition: number;
  offset: string;
}

export interface ReversalRow {
  reversal_id: string;
  transaction_id: string;
  cardholder_id: string;
  card_id: string;
  card_last4: string;
  kind: ReversalEvent['kind'];
  amount_minor: string;
  currency: string;
  received_at: Date;
  state: ReversalState;
  notification_id: string;
}

export interface OriginalRow {
  id: string;
  status: NotificationStatus;
  card_id: string;
  amount_minor: string;
  currency: string;
  merchant_name: string;
  merchant_city: string | null;
  authorised_at: Date;
}

export interface CorrectionSend {
  body: string;
  locale: string;
  segments: number;
  encoding: string;
  phoneE164: string;
  contactVersion: number;
  deadlineAt: Date;
  template: RenderedTemplate;
}

import { maskPhone, scrubPersonalData } from '../common/phone-mask';
import type { Role } from '../common/principal';
import type { ReversalLinkRow } from '../corrections/correction-links.repository';
import type { ReplyRow } from '../replies/replies.repository';
import type { Opened } from '../crypto/data-cipher';
import type { AttemptRow, EventRow, NotificationRow } from '../notifications/notification.types';

// What the support API shows. Support agents see the phone masked; supervisors see it whole. The card is
// only ever its last 4 digits (nothing else is stored). Error texts are the vendors' and may quote the
// number (Twilio's 21211 does): they are masked for everyone, also rows written before texts were masked
// at the source. For support the free text from the bank (merchant, the SMS text) is masked too, so no
// field shows a full number; identifiers (ids, transaction and cardholder ids) are shown as they are.
function scrubbed<T extends string | null>(text: T): T {
  return (text === null ? null : scrubPersonalData(text)) as T;
}
const asIs = <T>(text: T): T => text;

/** Said instead of the number and text once the retention purge removed them (docs/contracts.md). */
export const PURGED_NOTICE =
  'personal data purged after the retention period: the number, the text and the providers’ error texts are gone; the delivery history remains';

/** `opened`: the row's number and text, opened by the caller (DataCipher) for this view only. */
export function notificationView(n: NotificationRow, role: Role, opened: Opened) {
  const freeText = role === 'supervisor' ? asIs : scrubbed;
  return {
    id: n.id,
    kind: n.kind,
    originalNotificationId: n.original_notification_id,
    transactionId: n.transaction_id,
    eventId: n.event_id,
    cardholderId: n.cardholder_id,
    cardLast4: n.card_last4,
    amountMinor: Number(n.amount_minor),
    currency: n.currency,
    merchantName: freeText(n.merchant_name),
    merchantCity: freeText(n.merchant_city),
    channel: n.channel,
    authorisedAt: n.authorised_at,
    receivedAt: n.received_at,
    status: n.status,
    skipReason: n.skip_reason,
    overdue: n.overdue,
    phone: role === 'supervisor' ? opened.phone : maskPhone(opened.phone),
    contactVersion: n.contact_version === null ? null : Number(n.contact_version),
    locale: n.locale,
    text: freeText(opened.body),
    segments: n.segments,
    encoding: n.encoding,
    provider: n.provider,
    providerMessageId: n.provider_message_id,
    lastErrorCode: n.last_error_code,
    lastErrorDetail: scrubbed(n.last_error_detail),
    deadlineAt: n.deadline_at,
    acceptedAt: n.accepted_at,
    finalAt: n.final_at,
    updatedAt: n.updated_at,
    purged: n.purged_at !== null,
    purgedAt: n.purged_at,
    purgedNotice: n.purged_at === null ? null : PURGED_NOTICE,
  };
}

/** `handsetText`: what the handset displayed when it differs from `text` (a vendor's 【signature】 and
 * template); free text like the body, so masked for support agents. */
/** `handsetText` opened by the caller (it is sealed beside the alert): null when purged or never known. */
export function attemptView(a: AttemptRow, role: Role, handsetText: string | null) {
  const freeText = role === 'supervisor' ? asIs : scrubbed;
  return {
    attemptNo: a.attempt_no,
    provider: a.provider,
    status: a.status,
    providerMessageId: a.provider_message_id,
    errorCode: a.error_code,
    errorDetail: scrubbed(a.error_detail),
    segments: a.segments,
    handsetText: freeText(handsetText),
    startedAt: a.started_at,
    finishedAt: a.finished_at,
  };
}

export function eventView(e: EventRow) {
  return {
    at: e.at,
    type: e.type,
    status: e.status,
    provider: e.provider,
    providerMessageId: e.provider_message_id,
    errorCode: e.error_code,
    detail: scrubbed(e.detail),
  };
}

/** A reversal beside its alerts: the correction it made and the original it corrects. */
export function reversalLinkView(r: ReversalLinkRow) {
  return {
    reversalId: r.reversal_id,
    originalTransactionId: r.transaction_id,
    reversalKind: r.kind,
    amountMinor: Number(r.amount_minor),
    currency: r.currency,
    reversedAt: r.reversed_at,
    state: r.state,
    reason: r.reason,
    correctionId: r.notification_id,
    correctionStatus: r.notification_status,
    originalId: r.original_id,
    originalStatus: r.original_status,
  };
}

/** A cardholder's reply beside the alert it answers: the number masked for support, as the alert's is. */
export function replyView(r: ReplyRow, role: Role) {
  const freeText = role === 'supervisor' ? asIs : scrubbed;
  return {
    replyId: r.id,
    provider: r.provider,
    from: role === 'supervisor' ? r.phone_e164 : maskPhone(r.phone_e164),
    text: freeText(r.text),
    classification: r.classification,
    keyword: r.keyword,
    alertSentAt: r.alert_sent_at,
    receivedAt: r.received_at,
  };
}

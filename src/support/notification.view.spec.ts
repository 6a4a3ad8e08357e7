import fc from 'fast-check';
import { NotificationStatus } from '../notifications/notification-status';
import type { AttemptRow, EventRow, NotificationRow } from '../notifications/notification.types';
import { AttemptStatus } from '../notifications/notification.types';
import type { ReplyRow } from '../replies/replies.repository';
import { attemptView, eventView, notificationView, PURGED_NOTICE, replyView } from './notification.view';

const at = new Date('2026-12-01T20:00:00Z');

function rows(phone: string) {
  const quoted = `The 'To' number ${phone} is not a valid phone number.`;
  const n: NotificationRow = {
    id: '7f9c2ba4-1234-5678-9abc-123456789012',
    transaction_id: 'txn-1',
    event_id: 'evt-1',
    cardholder_id: 'ch-1',
    card_id: 'card-1',
    card_last4: '4242',
    amount_minor: '1999',
    currency: 'GBP',
    merchant_name: `TOP UP ${phone.slice(1)}`,
    merchant_city: `call 0${phone.slice(3)}`,
    channel: null,
    authorised_at: at,
    received_at: at,
    status: NotificationStatus.FAILED,
    skip_reason: null,
    phone_e164: phone,
    contact_version: '1',
    locale: 'en-GB',
    body: `Your card ending 4242 was used at TOP UP ${phone.slice(1)}`,
    segments: 1,
    encoding: 'GSM-7',
    deadline_at: at,
    provider: 'twilio',
    provider_message_id: null,
    last_error_code: '21211',
    last_error_detail: quoted,
    overdue: false,
    lease_until: null,
    lease_generation: 0,
    kind: 'ALERT',
    original_notification_id: null,
    accepted_at: null,
    final_at: at,
    updated_at: at,
    data_key_id: null,
    wrapped_key: null,
    phone_enc: null,
    body_enc: null,
    purged_at: null,
  };
  const attempt: AttemptRow = {
    id: 'a-1',
    notification_id: n.id,
    attempt_no: 1,
    provider: 'twilio',
    status: AttemptStatus.REJECTED,
    provider_message_id: null,
    error_code: '21211',
    error_detail: quoted,
    segments: null,
    handset_text: `【Alertline银行】card ending 4242 at TOP UP ${phone.slice(1)}. Not you? Call 0${phone.slice(3)}.`,
    started_at: at,
    finished_at: at,
  };
  const event: EventRow = {
    id: 'e-1',
    notification_id: n.id,
    at,
    type: 'FAILED',
    status: NotificationStatus.FAILED,
    provider: 'twilio',
    provider_message_id: null,
    error_code: '21211',
    detail: `twilio 21211: ${quoted}`,
  };
  return { n, attempt, event };
}

const answer = (phone: string, role: 'support' | 'supervisor') => {
  const { n, attempt, event } = rows(phone);
  return JSON.stringify({
    ...notificationView(n, role, { phone: n.phone_e164, body: n.body }),
    attempts: [attemptView(attempt, role, attempt.handset_text ?? null)],
    timeline: [eventView(event)],
  });
};

const mobile = fc.integer({ min: 0, max: 99_999_999 }).map((i) => `+4474${String(i).padStart(8, '0')}`);

describe('support views', () => {
  it('property: a support answer holds no full number in any field, however the row quotes it', () => {
    fc.assert(
      fc.property(mobile, (phone) => {
        const json = answer(phone, 'support');
        expect(json.includes(phone.slice(3))).toBe(false); // the national significant number, any prefix
        expect(json).toContain(phone.slice(-3));
      }),
      { numRuns: 300 },
    );
  });

  it('a supervisor sees the phone and the bank’s text whole, but error texts masked', () => {
    const view = JSON.parse(answer('+447400123456', 'supervisor')) as Record<string, unknown>;
    expect(view).toMatchObject({
      phone: '+447400123456',
      merchantName: 'TOP UP 447400123456',
      lastErrorDetail: "The 'To' number +*********456 is not a valid phone number.",
      attempts: [
        {
          errorDetail: "The 'To' number +*********456 is not a valid phone number.",
          handsetText: '【Alertline银行】card ending 4242 at TOP UP 447400123456. Not you? Call 07400123456.',
        },
      ],
      timeline: [{ detail: "twilio 21211: The 'To' number +*********456 is not a valid phone number." }],
    });
    const support = JSON.parse(answer('+447400123456', 'support')) as {
      attempts: Array<{ handsetText: string }>;
    };
    expect(support.attempts[0].handsetText).toMatch(/^【Alertline银行】card ending 4242 at TOP UP \*+456\./);
    expect(support.attempts[0].handsetText).not.toContain('7400123');
    expect(JSON.parse(answer('+447400123456', 'support'))).toMatchObject({
      phone: '+44*******456',
      transactionId: 'txn-1',
      lastErrorCode: '21211',
    });
  });

  it('says in words that a purged alert’s details are gone, and not before', () => {
    const { n } = rows('+447400123456');
    expect(notificationView(n, 'supervisor', { phone: '+447400123456', body: 'x' })).toMatchObject({
      purged: false,
      purgedAt: null,
      purgedNotice: null,
    });
    const purgedAt = new Date('2027-01-01T00:00:00Z');
    const purged = { ...n, purged_at: purgedAt, phone_e164: null, body: null, last_error_detail: null };
    expect(notificationView(purged, 'support', { phone: null, body: null })).toMatchObject({
      phone: null,
      text: null,
      lastErrorDetail: null,
      purged: true,
      purgedAt,
      purgedNotice: PURGED_NOTICE,
    });
    expect(PURGED_NOTICE).toMatch(/^personal data purged after the retention period/);
  });
});

describe("a cardholder's reply as support sees it", () => {
  const reply: ReplyRow = {
    id: '7b6f2f8e-0000-4000-8000-000000000001',
    provider: 'twilio',
    provider_message_id: 'SM1',
    phone_e164: '+447911123456',
    to_number: '+15005550006',
    text: 'NOT ME, call me on 07911 123456',
    classification: 'NOT_RECOGNISED',
    keyword: 'not me',
    notification_id: null,
    notification_kind: null,
    transaction_id: null,
    cardholder_id: null,
    card_last4: null,
    alert_sent_at: new Date('2026-12-01T10:00:00Z'),
    received_at: new Date('2026-12-01T10:05:00Z'),
  };

  it('masks the number and numbers in the text for support, and shows both to a supervisor', () => {
    expect(replyView(reply, 'support')).toEqual(
      expect.objectContaining({ from: '+44*******456', text: 'NOT ME, call me on ***** ***456' }),
    );
    expect(replyView(reply, 'supervisor')).toEqual(
      expect.objectContaining({ from: '+447911123456', text: reply.text, alertSentAt: reply.alert_sent_at }),
    );
  });
});

import { NotificationStatus } from '../notifications/notification-status';
import { AttemptRow, AttemptStatus, NotificationRow } from '../notifications/notification.types';
import {
  CannotSendMessageError,
  PermanentRecipientError,
  RateLimitedError,
  TransientProviderError,
} from '../providers/provider.errors';
import { expiryDetail, failedAttemptStatus, statusEvent, unknownOutcomeDetail } from './send-events';

describe('send events', () => {
  it('records an attempt the provider never had as NOT_SENT, a throttled one as RATE_LIMITED', () => {
    const transient = new TransientProviderError('twilio', 'HTTP_503', 'down');
    expect(failedAttemptStatus(transient, false)).toBe(AttemptStatus.FAILED);
    expect(failedAttemptStatus(transient, true)).toBe(AttemptStatus.NOT_SENT);
    expect(failedAttemptStatus(new CannotSendMessageError('aliyun', 'NO_TEMPLATE', 'none'), false)).toBe(
      AttemptStatus.NOT_SENT,
    );
    expect(failedAttemptStatus(new RateLimitedError('vonage', 'THROTTLED', 'slow down'), false)).toBe(
      AttemptStatus.RATE_LIMITED,
    );
    expect(failedAttemptStatus(new PermanentRecipientError('twilio', '21211', 'bad'), false)).toBe(
      AttemptStatus.FAILED,
    );
  });

  it('builds a status event whose type is the status', () => {
    const at = new Date('2026-12-07T10:00:00Z');
    expect(statusEvent('n1', at, NotificationStatus.FAILED, 'CANNOT_SEND', 'why', 'smpp')).toEqual({
      notificationId: 'n1',
      at,
      type: 'FAILED',
      status: 'FAILED',
      provider: 'smpp',
      errorCode: 'CANNOT_SEND',
      detail: 'why',
    });
  });

  it('says why an alert expired and what an unconfirmable attempt led to', () => {
    const n = { deadline_at: new Date('2026-12-07T10:00:00Z') } as NotificationRow;
    expect(expiryDetail(n, null)).toBe('deadline 2026-12-07T10:00:00.000Z passed; last error none');
    expect(expiryDetail(n, 'TIMEOUT', 'in flight')).toBe(
      'deadline 2026-12-07T10:00:00.000Z passed; last error TIMEOUT: in flight',
    );
    const attempt = { provider: 'smpp', attempt_no: 2 } as AttemptRow;
    expect(unknownOutcomeDetail(attempt, 'resend')).toBe(
      'smpp cannot say whether it took attempt 2: sending again (UNKNOWN_OUTCOME_POLICY=resend; the cardholder may get it twice)',
    );
    expect(unknownOutcomeDetail(attempt, 'expire')).toBe(
      'smpp cannot say whether it took attempt 2: not sent again (UNKNOWN_OUTCOME_POLICY=expire)',
    );
  });
});

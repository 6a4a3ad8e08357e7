import { claimedAttempt, useSendPath } from '../../test/support/send-path';
import { timelineTypes } from '../../test/support/db';
import { HistoryEvent, NotificationStatus as S } from '../notifications/notification-status';
import { AttemptStatus } from '../notifications/notification.types';
import { CannotSendMessageError } from '../providers/provider.errors';
import { RouteTrail } from './route-trail';

// What a route on which every provider refused the message itself leaves in PostgreSQL: each attempt
// NOT_SENT with a CANNOT_SEND history line saying why, then the alert FAILED with CANNOT_SEND (not
// requeued) and the outcome counted.
describe('cannot-send on PostgreSQL', () => {
  const path = useSendPath();

  it('records why each provider could not send, then fails the alert with CANNOT_SEND', async () => {
    const now = new Date();
    const { id, claimed, attempt } = await claimedAttempt(path, 'aliyun', now);
    const trail = new RouteTrail(id, () => now);
    const aliyun = new CannotSendMessageError(
      'aliyun',
      'isv.BLACK_KEY_CONTROL_LIMIT',
      'isv.BLACK_KEY_CONTROL_LIMIT: 模板变量中存在黑名单关键字',
    );
    await path.recorder.attemptFailed(claimed, attempt, aliyun, now, trail.take());
    trail.failed('aliyun', aliyun);
    trail.trying('tencent');
    const second = await path.recorder.startAttempt(claimed, 'tencent', now, trail.take());
    const tencent = new CannotSendMessageError(
      'tencent',
      'NO_TEMPLATE',
      'Tencent sends templates only; none given',
    );
    await path.recorder.attemptFailed(claimed, second, tencent, now, trail.take());
    trail.failed('tencent', tencent);
    expect(trail.noneCanSend).toBe(true);
    await path.recorder.cannotSend(claimed, trail.reason(), now, trail.take());

    const row = (await path.notifications.findById(id))!;
    expect(row).toMatchObject({ status: S.FAILED, last_error_code: 'CANNOT_SEND' });
    expect(row.last_error_detail).toContain(
      'aliyun isv.BLACK_KEY_CONTROL_LIMIT: isv.BLACK_KEY_CONTROL_LIMIT',
    );
    expect(row.last_error_detail).toContain('tencent NO_TEMPLATE');
    expect(
      (await path.attempts.forNotification(id)).map((a) => [a.provider, a.status, a.error_code]),
    ).toEqual([
      ['aliyun', AttemptStatus.NOT_SENT, 'isv.BLACK_KEY_CONTROL_LIMIT'],
      ['tencent', AttemptStatus.NOT_SENT, 'NO_TEMPLATE'],
    ]);
    const types = await timelineTypes(path.db.pool, id);
    expect(types.filter((t) => t === String(HistoryEvent.CANNOT_SEND))).toHaveLength(2);
    expect(types).toContain(HistoryEvent.FAILOVER);
    expect(types[types.length - 1]).toBe(S.FAILED);
    expect(types).not.toContain(HistoryEvent.REQUEUED);
    const failed = (await path.metrics.notifications.get()).values.find(
      (v) => v.labels.status === 'FAILED' && v.labels.reason === 'CANNOT_SEND',
    );
    expect(failed?.value).toBe(1);
  });
});

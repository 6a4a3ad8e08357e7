import { HistoryEvent } from '../notifications/notification-status';
import {
  CannotSendMessageError,
  CircuitOpenError,
  RateLimitedError,
  TransientProviderError,
} from '../providers/provider.errors';
import { RouteTrail } from './route-trail';

const at = new Date('2026-11-22T12:00:00Z');

describe('RouteTrail', () => {
  it('notes a failover only when an earlier provider did not take the alert', () => {
    const trail = new RouteTrail('n1', () => at);
    trail.trying('twilio');
    expect(trail.take()).toEqual([]);
    trail.failed('twilio', new TransientProviderError('twilio', '20500', 'Internal'));
    trail.trying('vonage');
    expect(trail.take()).toEqual([
      {
        notificationId: 'n1',
        at,
        type: HistoryEvent.FAILOVER,
        provider: 'vonage',
        errorCode: '20500',
        detail: 'from twilio (20500) to vonage',
      },
    ]);
    expect(trail.take()).toEqual([]);
  });

  it('gives every provider its reason, and says whether the round was only throttling', () => {
    const trail = new RouteTrail('n1', () => at);
    trail.failed('twilio', new CircuitOpenError('twilio', '20500: Internal'));
    trail.failed('vonage', new TransientProviderError('vonage', 'HTTP_500', 'HTTP 500'));
    expect(trail.reason()).toBe(
      'twilio CIRCUIT_OPEN: twilio circuit breaker is open (last failure 20500: Internal); vonage HTTP_500: HTTP 500',
    );
    expect(trail.lastFailure?.code).toBe('HTTP_500');
    expect(trail.allRateLimited).toBe(false);

    const throttled = new RouteTrail('n2', () => at);
    throttled.failed('twilio', new RateLimitedError('twilio', '20429', 'Too Many Requests'));
    throttled.failed('smpp', new RateLimitedError('smpp', 'ESME_RTHROTTLED', 'throttled'));
    expect(throttled.allRateLimited).toBe(true);
    expect(new RouteTrail('n3', () => at).reason()).toBe('no provider available');
  });
});

describe('RouteTrail.noneCanSend', () => {
  it('is true only when every provider tried said it cannot carry the message', () => {
    const trail = new RouteTrail('n1', () => at);
    expect(trail.noneCanSend).toBe(false);
    trail.failed('aliyun', new CannotSendMessageError('aliyun', 'NO_TEMPLATE_CODE', 'no code'));
    trail.failed('tencent', new CannotSendMessageError('tencent', 'NO_TEMPLATE_ID', 'no id'));
    expect(trail.noneCanSend).toBe(true);
    expect(trail.reason()).toBe('aliyun NO_TEMPLATE_CODE: no code; tencent NO_TEMPLATE_ID: no id');
    // An open circuit may close again: that provider might carry it later, so the alert is retried.
    trail.failed('twilio', new CircuitOpenError('twilio'));
    expect(trail.noneCanSend).toBe(false);
  });
});

import { HttpException } from '@nestjs/common';
import { NotificationStatus } from '../notifications/notification-status';
import {
  AlertNotFoundError,
  ContactUnusableError,
  NotResendableError,
  ResendLimitError,
} from './resend.errors';
import { resendHttpError } from './resend.http';

function answer(err: unknown): {
  status: number;
  body: { message: string };
  headers: Record<string, string>;
} {
  const headers: Record<string, string> = {};
  const mapped = resendHttpError(err, { setHeader: (k: string, v: string) => (headers[k] = v) } as never);
  if (!(mapped instanceof HttpException)) throw new Error('not mapped to an HTTP answer');
  return { status: mapped.getStatus(), body: mapped.getResponse() as { message: string }, headers };
}

describe('resendHttpError', () => {
  it('answers 404 for an unknown alert and 409 naming the state or the contact problem', () => {
    expect(answer(new AlertNotFoundError('x')).status).toBe(404);
    const delivered = answer(new NotResendableError(NotificationStatus.DELIVERED));
    expect(delivered.status).toBe(409);
    expect(delivered.body.message).toContain('the alert is DELIVERED');
    expect(answer(new ContactUnusableError('the cardholder has turned SMS alerts off')).body.message).toBe(
      'cannot resend: the cardholder has turned SMS alerts off',
    );
  });

  it('answers 429 with Retry-After and the limit named', () => {
    const limited = answer(new ResendLimitError('per-alert', 3, 3540));
    expect(limited.status).toBe(429);
    expect(limited.headers).toEqual({ 'Retry-After': '3540' });
    expect(limited.body.message).toContain('at most 3 resends of one alert per hour (RESEND_LIMIT_PER_HOUR)');
    const perKey = answer(new ResendLimitError('per-principal', 100, 12));
    expect(perKey.body.message).toContain('RESEND_LIMIT_PER_PRINCIPAL_PER_HOUR');
  });

  it('passes any other error through unchanged', () => {
    const err = new Error('redis down');
    expect(resendHttpError(err, { setHeader: () => undefined } as never)).toBe(err);
  });
});

import { ConflictException, HttpException, HttpStatus, NotFoundException } from '@nestjs/common';
import type { Response } from 'express';
import {
  AlertNotFoundError,
  ContactUnusableError,
  NotResendableError,
  PurgedAlertError,
  ResendLimitError,
} from './resend.errors';

/**
 * The HTTP answer for a refused resend. Mapped inside the handler, not by an exception filter, so the
 * audit interceptor records the real status (404, 409, 429) instead of a 500.
 */
export function resendHttpError(err: unknown, res: Pick<Response, 'setHeader'>): unknown {
  if (err instanceof AlertNotFoundError) return new NotFoundException(err.message);
  if (
    err instanceof NotResendableError ||
    err instanceof ContactUnusableError ||
    err instanceof PurgedAlertError
  ) {
    return new ConflictException(err.message);
  }
  if (err instanceof ResendLimitError) {
    res.setHeader('Retry-After', String(err.retryAfterSeconds));
    return new HttpException(
      { statusCode: HttpStatus.TOO_MANY_REQUESTS, error: 'Too Many Requests', message: err.message },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
  return err;
}

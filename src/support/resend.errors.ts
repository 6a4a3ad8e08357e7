import type { NotificationStatus } from '../notifications/notification-status';

/** Why a resend was refused; the controller maps each type to its HTTP status (404, 409, 429). */
export class AlertNotFoundError extends Error {
  override readonly name = 'AlertNotFoundError';
  constructor(readonly notificationId: string) {
    super(`no alert ${notificationId}`);
  }
}

export class NotResendableError extends Error {
  override readonly name = 'NotResendableError';
  constructor(readonly status: NotificationStatus) {
    super(`the alert is ${status}; only FAILED, UNDELIVERED or EXPIRED alerts can be resent`);
  }
}

/** The retention purge removed the alert's text: there is nothing to send again (a 409 like a status). */
export class PurgedAlertError extends Error {
  override readonly name = 'PurgedAlertError';
  constructor() {
    super(
      'the alert’s text was purged after the retention period (PERSONAL_DATA_RETENTION_DAYS); it cannot be resent',
    );
  }
}

export class ContactUnusableError extends Error {
  override readonly name = 'ContactUnusableError';
  constructor(reason: string) {
    super(`cannot resend: ${reason}`);
  }
}

export class ResendLimitError extends Error {
  override readonly name = 'ResendLimitError';
  constructor(
    readonly limit: 'per-alert' | 'per-principal',
    readonly max: number,
    readonly retryAfterSeconds: number,
  ) {
    super(
      limit === 'per-alert'
        ? `resend limit reached: at most ${max} resends of one alert per hour (RESEND_LIMIT_PER_HOUR); try again in ${retryAfterSeconds} s`
        : `resend limit reached: at most ${max} resends per API key per hour (RESEND_LIMIT_PER_PRINCIPAL_PER_HOUR); try again in ${retryAfterSeconds} s`,
    );
  }
}

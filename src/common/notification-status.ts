export enum NotificationStatus {
  RECEIVED = 'RECEIVED',
  SKIPPED = 'SKIPPED',
  QUEUED = 'QUEUED',
  SENDING = 'SENDING',
  SENT = 'SENT',
  DELIVERED = 'DELIVERED',
  UNDELIVERED = 'UNDELIVERED',
  FAILED = 'FAILED',
  EXPIRED = 'EXPIRED',
}

export enum SkipReason {
  NO_CONTACT = 'NO_CONTACT',
  ALERTS_DISABLED = 'ALERTS_DISABLED',
  BELOW_THRESHOLD = 'BELOW_THRESHOLD',
  INVALID_PHONE = 'INVALID_PHONE',
}

export const FINAL_STATUSES: ReadonlySet<NotificationStatus> = new Set([
  NotificationStatus.SKIPPED,
  NotificationStatus.DELIVERED,
  NotificationStatus.UNDELIVERED,
  NotificationStatus.FAILED,
  NotificationStatus.EXPIRED,
]);

/** Event types in the history that are not status changes. */
export enum HistoryEvent {
  ATTEMPT_FAILED = 'ATTEMPT_FAILED',
  /** The provider cannot carry this message at all (no template for it, ...): passed on, no breaker count. */
  CANNOT_SEND = 'CANNOT_SEND',
  FAILOVER = 'FAILOVER',
  RECOVERED_IN_FLIGHT = 'RECOVERED_IN_FLIGHT',
  RECEIPT = 'RECEIPT',
  CIRCUIT_OPEN = 'CIRCUIT_OPEN',
  CIRCUIT_HALF_OPEN = 'CIRCUIT_HALF_OPEN',
  CIRCUIT_CLOSED = 'CIRCUIT_CLOSED',
  OVERDUE = 'OVERDUE',
  REQUEUED = 'REQUEUED',
  /** A send's answer was lost and its provider cannot say whether it took it: what was decided, and why. */
  OUTCOME_UNKNOWN = 'OUTCOME_UNKNOWN',
  RESEND_REQUESTED = 'RESEND_REQUESTED',
  /** Routing by delivery health: this alert went past a demoted provider, and why. */
  ROUTED_PAST = 'ROUTED_PAST',
  /** This alert tried a demoted provider first, as part of the trial floor. */
  ROUTE_TRIAL = 'ROUTE_TRIAL',
  /** A demoted provider is back in its place (told on the first alert each dispatcher routes after). */
  ROUTE_RESTORED = 'ROUTE_RESTORED',
}

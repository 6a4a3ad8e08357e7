import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { NotificationStatus } from '../common/notification-status';

// Every correction outcome exported at 0 from start, as alert outcomes are (increase() needs a first sample).
const CORRECTION_OUTCOMES: Record<string, string[]> = {
  QUEUED: [''],
  SKIPPED: [
    'NO_ORIGINAL',
    'ORIGINAL_SKIPPED',
    'NO_CONTACT',
    'ALERTS_DISABLED',
    'INVALID_PHONE',
    'BELOW_THRESHOLD',
  ],
  REFUSED: ['EXCEEDS_ORIGINAL', 'CURRENCY_MISMATCH', 'CARD_MISMATCH'],
};

// The metric names are a contract with the operators' dashboards (ARCHITECTURE.md). Labels are always
// low-cardinality enums: never a phone number, card, cardholder or message id.
@Injectable()
export class Metrics {
  readonly registry = new Registry();

  readonly eventsConsumed = new Counter({
    name: 'alertline_events_consumed_total',
    help: 'Kafka messages consumed, by topic and outcome',
    labelNames: ['topic', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly notifications = new Counter({
    name: 'alertline_notifications_total',
    help: 'Alert state changes, by resulting status and reason',
    labelNames: ['status', 'reason'] as const,
    registers: [this.registry],
  });
  // The alert rules read this one: with a `reason` label a status's series are open-ended and each is born
  // at 1 on its first event, where increase() and rate() have nothing to compare, so a process's first
  // EXPIRED (or UNDELIVERED) for a new reason would never page. Every status is exported at 0 from start.
  readonly outcomes = new Counter({
    name: 'alertline_alert_outcomes_total',
    help: 'Alert state changes, by resulting status only (every status exported from start)',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });
  readonly providerRequests = new Counter({
    name: 'alertline_provider_requests_total',
    help: 'Send requests to SMS providers, by outcome',
    labelNames: ['provider', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly providerCannotSend = new Counter({
    name: 'alertline_provider_cannot_send_total',
    help: 'Alerts a provider could not carry at all (passed on without a breaker count), by reason',
    labelNames: ['provider', 'reason'] as const,
    registers: [this.registry],
  });
  readonly providerDuration = new Histogram({
    name: 'alertline_provider_request_duration_seconds',
    help: 'Duration of send requests to SMS providers',
    labelNames: ['provider'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly alertLatency = new Histogram({
    name: 'alertline_alert_latency_seconds',
    help: 'Time from authorisedAt to a stage: accepted (by a provider) or delivered (receipt recorded)',
    labelNames: ['stage'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800],
    registers: [this.registry],
  });
  readonly circuitState = new Gauge({
    name: 'alertline_circuit_state',
    help: 'Provider circuit breaker state: 0 closed, 1 half-open, 2 open',
    labelNames: ['provider'] as const,
    registers: [this.registry],
  });
  readonly queueJobs = new Gauge({
    name: 'alertline_queue_jobs',
    help: 'Jobs in the sms queue, by Bull state',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });
  readonly kafkaLag = new Gauge({
    name: 'alertline_kafka_consumer_lag',
    help: 'Messages between the committed offset and the end of each partition',
    labelNames: ['topic', 'partition'] as const,
    registers: [this.registry],
  });
  readonly overdue = new Gauge({
    name: 'alertline_notifications_overdue',
    help: 'Alerts SENT with no final receipt past the receipt SLA',
    registers: [this.registry],
  });
  readonly receipts = new Counter({
    name: 'alertline_receipts_total',
    help: 'Delivery receipts received, by provider and mapped status (UNMATCHED when unmatched; BAD_SIGNATURE and STALE_TIMESTAMP when refused); replays are in receipts_duplicate_total',
    labelNames: ['provider', 'status'] as const,
    registers: [this.registry],
  });
  readonly receiptsDuplicate = new Counter({
    name: 'alertline_receipts_duplicate_total',
    help: 'Replayed delivery receipts (same message id, vendor status and error code as a stored one): not stored, not in receipts_total',
    labelNames: ['provider'] as const,
    registers: [this.registry],
  });
  readonly refusedThrottled = new Counter({
    name: 'alertline_refused_requests_throttled_total',
    help: 'Requests answered 429 by source: surface is webhook (refused webhooks) or api (refused keys, or a principal over its request rate)',
    labelNames: ['surface'] as const,
    registers: [this.registry],
  });
  readonly dlqMessages = new Counter({
    name: 'alertline_dlq_messages_total',
    help: 'Messages sent to a dead-letter topic, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly upstreamDelay = new Histogram({
    name: 'alertline_upstream_delay_seconds',
    help: 'Time from authorisedAt to the event reaching Alertline (RECEIVED): a late upstream shows here',
    buckets: [0.1, 0.5, 1, 5, 30, 60, 300, 900, 3600],
    registers: [this.registry],
  });

  readonly lateEvents = new Counter({
    name: 'alertline_late_events_total',
    help: 'Events whose authorisedAt was older than UPSTREAM_LATE_SECONDS when they reached Alertline',
    registers: [this.registry],
  });

  readonly sweeperRuns = new Counter({
    name: 'alertline_sweeper_runs_total',
    help: 'Sweeper runs, by outcome: ok, locked (another dispatcher was sweeping) or error',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly sweeperRequeued = new Counter({
    name: 'alertline_sweeper_requeued_total',
    help: 'Alerts put back on the queue by the sweeper because their Bull job was gone or had failed',
    registers: [this.registry],
  });
  readonly sweeperPolled = new Counter({
    name: 'alertline_sweeper_polled_total',
    help: 'Provider status lookups by the sweeper for alerts past the receipt SLA, by provider and outcome',
    labelNames: ['provider', 'outcome'] as const,
    registers: [this.registry],
  });

  // Routing by delivery health (src/routing). Every dispatcher reports the route it reads from PostgreSQL, so
  // dashboards take max by provider; route changes are counted once, by the dispatcher that made them.
  readonly deliveryHealth = new Gauge({
    name: 'alertline_provider_delivery_health',
    help: "Share (0-1) of a provider's final outcomes in the delivery-health window that were DELIVERED (NaN: none yet)",
    labelNames: ['provider'] as const,
    registers: [this.registry],
  });
  readonly deliveryDelay = new Gauge({
    name: 'alertline_provider_delivery_delay_seconds',
    help: 'p90 from provider acceptance to the DELIVERED receipt over the delivery-health window (NaN: none delivered)',
    labelNames: ['provider'] as const,
    registers: [this.registry],
  });
  readonly deliverySample = new Gauge({
    name: 'alertline_provider_delivery_sample',
    help: 'Final outcomes in the delivery-health window (below DELIVERY_HEALTH_MIN_SAMPLE nothing changes)',
    labelNames: ['provider'] as const,
    registers: [this.registry],
  });
  readonly providerDemoted = new Gauge({
    name: 'alertline_provider_demoted',
    help: '1 while a provider is moved down the route for poor delivery health, else 0',
    labelNames: ['provider'] as const,
    registers: [this.registry],
  });
  readonly routePosition = new Gauge({
    name: 'alertline_provider_route_position',
    help: 'Place of a provider in the route for alerts that are not trials (1 = tried first)',
    labelNames: ['provider'] as const,
    registers: [this.registry],
  });
  readonly routeChanges = new Counter({
    name: 'alertline_route_changes_total',
    help: 'Providers moved down (demoted) or back up (restored) the route by delivery health',
    labelNames: ['provider', 'direction'] as const,
    registers: [this.registry],
  });
  readonly routeTrials = new Counter({
    name: 'alertline_route_trials_total',
    help: 'Alerts that tried a demoted provider first (the trial floor that lets its recovery be seen)',
    labelNames: ['provider'] as const,
    registers: [this.registry],
  });
  readonly unknownOutcomes = new Counter({
    name: 'alertline_unknown_outcome_total',
    help: 'Sends whose answer was lost, settled without the provider showing the message: not_sent (its lookup says so), resent or expired (it cannot be asked; UNKNOWN_OUTCOME_POLICY)',
    labelNames: ['provider', 'decision'] as const,
    registers: [this.registry],
  });

  readonly writeBatchSize = new Histogram({
    name: 'alertline_write_batch_size',
    help: 'Items per grouped database write (claim, attempt, sent, receipt, intermediate): near 1 means no grouping',
    labelNames: ['batch'] as const,
    buckets: [1, 2, 5, 10, 25, 50, 100, 200, 500],
    registers: [this.registry],
  });
  readonly writeBatchFallbacks = new Counter({
    name: 'alertline_write_batch_fallbacks_total',
    help: 'Grouped writes that failed as a whole and were redone item by item (constraint, deadlock, outage)',
    labelNames: ['batch'] as const,
    registers: [this.registry],
  });

  readonly corrections = new Counter({
    name: 'alertline_corrections_total',
    help: 'Reversal events decided, by outcome: QUEUED (a correction SMS goes to the dispatcher), SKIPPED or REFUSED, with the reason',
    labelNames: ['status', 'reason'] as const,
    registers: [this.registry],
  });
  readonly correctionsWaiting = new Gauge({
    name: 'alertline_corrections_waiting',
    help: 'Reversals waiting for their original alert to be sent or to end (WAITING_FOR_ORIGINAL)',
    registers: [this.registry],
  });

  // The cardholder's reply. No phone label, ever: provider, classification and whether it was linked.
  readonly replies = new Counter({
    name: 'alertline_replies_total',
    help: "Cardholders' replies stored (redeliveries not counted), by provider, classification (NOT_RECOGNISED or OTHER) and linked (true: matched to an alert sent to the number within REPLY_LINK_WINDOW_HOURS)",
    labelNames: ['provider', 'classification', 'linked'] as const,
    registers: [this.registry],
  });
  readonly repliesDuplicate = new Counter({
    name: 'alertline_replies_duplicate_total',
    help: 'Inbound texts a provider delivered again (same provider message id): stored and published once',
    labelNames: ['provider'] as const,
    registers: [this.registry],
  });
  readonly repliesPublished = new Counter({
    name: 'alertline_replies_published_total',
    help: 'Replies published to KAFKA_TOPIC_REPLIES from the outbox (a republish after a crash counts again)',
    registers: [this.registry],
  });
  readonly repliesUnpublished = new Gauge({
    name: 'alertline_replies_unpublished',
    help: 'Replies in the outbox not yet published to KAFKA_TOPIC_REPLIES, as the publishing dispatcher last saw',
    registers: [this.registry],
  });
  readonly repliesOldestUnpublished = new Gauge({
    name: 'alertline_replies_oldest_unpublished_seconds',
    help: 'Age of the oldest reply waiting in the outbox (0 when none waits)',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'alertline_process_' });
    for (const status of Object.values(NotificationStatus)) this.outcomes.inc({ status }, 0);
    for (const [status, reasons] of Object.entries(CORRECTION_OUTCOMES)) {
      for (const reason of reasons) this.corrections.inc({ status, reason }, 0);
    }
  }

  /** One alert state change, counted by status and reason (dashboards) and by status alone (alerts). */
  transition(status: NotificationStatus, reason: string): void {
    this.notifications.inc({ status, reason });
    this.outcomes.inc({ status });
  }
}

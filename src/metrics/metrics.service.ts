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

  readonly eventsConsumed = this.counter(
    'alertline_events_consumed_total',
    'Kafka messages consumed, by topic and outcome',
    ['topic', 'outcome'],
  );
  readonly notifications = this.counter(
    'alertline_notifications_total',
    'Alert state changes, by resulting status and reason',
    ['status', 'reason'],
  );
  // The alert rules read this one: with a `reason` label a status's series are open-ended and each is born
  // at 1 on its first event, where increase() and rate() have nothing to compare, so a process's first
  // EXPIRED (or UNDELIVERED) for a new reason would never page. Every status is exported at 0 from start.
  readonly outcomes = this.counter(
    'alertline_alert_outcomes_total',
    'Alert state changes, by resulting status only (every status exported from start)',
    ['status'],
  );
  readonly providerRequests = this.counter(
    'alertline_provider_requests_total',
    'Send requests to SMS providers, by outcome',
    ['provider', 'outcome'],
  );
  readonly providerCannotSend = this.counter(
    'alertline_provider_cannot_send_total',
    'Alerts a provider could not carry at all (passed on without a breaker count), by reason',
    ['provider', 'reason'],
  );
  readonly providerDuration = this.histogram(
    'alertline_provider_request_duration_seconds',
    'Duration of send requests to SMS providers',
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    ['provider'],
  );
  readonly alertLatency = this.histogram(
    'alertline_alert_latency_seconds',
    'Time from authorisedAt to a stage: accepted (by a provider) or delivered (receipt recorded)',
    [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800],
    ['stage'],
  );
  readonly circuitState = this.gauge(
    'alertline_circuit_state',
    'Provider circuit breaker state: 0 closed, 1 half-open, 2 open',
    ['provider'],
  );
  readonly queueJobs = this.gauge('alertline_queue_jobs', 'Jobs in the sms queue, by Bull state', ['state']);
  readonly kafkaLag = this.gauge(
    'alertline_kafka_consumer_lag',
    'Messages between the committed offset and the end of each partition',
    ['topic', 'partition'],
  );
  readonly overdue = this.gauge(
    'alertline_notifications_overdue',
    'Alerts SENT with no final receipt past the receipt SLA',
  );
  readonly receipts = this.counter(
    'alertline_receipts_total',
    'Delivery receipts received, by provider and mapped status (UNMATCHED when unmatched; BAD_SIGNATURE and STALE_TIMESTAMP when refused); replays are in receipts_duplicate_total',
    ['provider', 'status'],
  );
  readonly receiptsDuplicate = this.counter(
    'alertline_receipts_duplicate_total',
    'Replayed delivery receipts (same message id, vendor status and error code as a stored one): not stored, not in receipts_total',
    ['provider'],
  );
  readonly refusedThrottled = this.counter(
    'alertline_refused_requests_throttled_total',
    'Requests answered 429 by source: surface is webhook (refused webhooks) or api (refused keys, or a principal over its request rate)',
    ['surface'],
  );
  readonly dlqMessages = this.counter(
    'alertline_dlq_messages_total',
    'Messages sent to a dead-letter topic, by reason',
    ['reason'],
  );

  readonly upstreamDelay = this.histogram(
    'alertline_upstream_delay_seconds',
    'Time from authorisedAt to the event reaching Alertline (RECEIVED): a late upstream shows here',
    [0.1, 0.5, 1, 5, 30, 60, 300, 900, 3600],
  );

  readonly lateEvents = this.counter(
    'alertline_late_events_total',
    'Events whose authorisedAt was older than UPSTREAM_LATE_SECONDS when they reached Alertline',
  );

  readonly sweeperRuns = this.counter(
    'alertline_sweeper_runs_total',
    'Sweeper runs, by outcome: ok, locked (another dispatcher was sweeping) or error',
    ['outcome'],
  );
  readonly sweeperRequeued = this.counter(
    'alertline_sweeper_requeued_total',
    'Alerts put back on the queue by the sweeper because their Bull job was gone or had failed',
  );
  readonly sweeperPolled = this.counter(
    'alertline_sweeper_polled_total',
    'Provider status lookups by the sweeper for alerts past the receipt SLA, by provider and outcome',
    ['provider', 'outcome'],
  );

  // Routing by delivery health (src/routing). Every dispatcher reports the route it reads from PostgreSQL, so
  // dashboards take max by provider; route changes are counted once, by the dispatcher that made them.
  readonly deliveryHealth = this.gauge(
    'alertline_provider_delivery_health',
    "Share (0-1) of a provider's final outcomes in the delivery-health window that were DELIVERED (NaN: none yet)",
    ['provider'],
  );
  readonly deliveryDelay = this.gauge(
    'alertline_provider_delivery_delay_seconds',
    'p90 from provider acceptance to the DELIVERED receipt over the delivery-health window (NaN: none delivered)',
    ['provider'],
  );
  readonly deliverySample = this.gauge(
    'alertline_provider_delivery_sample',
    'Final outcomes in the delivery-health window (below DELIVERY_HEALTH_MIN_SAMPLE nothing changes)',
    ['provider'],
  );
  readonly providerDemoted = this.gauge(
    'alertline_provider_demoted',
    '1 while a provider is moved down the route for poor delivery health, else 0',
    ['provider'],
  );
  readonly routePosition = this.gauge(
    'alertline_provider_route_position',
    'Place of a provider in the route for alerts that are not trials (1 = tried first)',
    ['provider'],
  );
  readonly routeChanges = this.counter(
    'alertline_route_changes_total',
    'Providers moved down (demoted) or back up (restored) the route by delivery health',
    ['provider', 'direction'],
  );
  readonly routeTrials = this.counter(
    'alertline_route_trials_total',
    'Alerts that tried a demoted provider first (the trial floor that lets its recovery be seen)',
    ['provider'],
  );
  readonly unknownOutcomes = this.counter(
    'alertline_unknown_outcome_total',
    'Sends whose answer was lost, settled without the provider showing the message: not_sent (its lookup says so), resent or expired (it cannot be asked; UNKNOWN_OUTCOME_POLICY)',
    ['provider', 'decision'],
  );

  readonly writeBatchSize = this.histogram(
    'alertline_write_batch_size',
    'Items per grouped database write (claim, attempt, sent, receipt, intermediate): near 1 means no grouping',
    [1, 2, 5, 10, 25, 50, 100, 200, 500],
    ['batch'],
  );
  readonly writeBatchFallbacks = this.counter(
    'alertline_write_batch_fallbacks_total',
    'Grouped writes that failed as a whole and were redone item by item (constraint, deadlock, outage)',
    ['batch'],
  );

  readonly corrections = this.counter(
    'alertline_corrections_total',
    'Reversal events decided, by outcome: QUEUED (a correction SMS goes to the dispatcher), SKIPPED or REFUSED, with the reason',
    ['status', 'reason'],
  );
  readonly correctionsWaiting = this.gauge(
    'alertline_corrections_waiting',
    'Reversals waiting for their original alert to be sent or to end (WAITING_FOR_ORIGINAL)',
  );

  // The cardholder's reply. No phone label, ever: provider, classification and whether it was linked.
  readonly replies = this.counter(
    'alertline_replies_total',
    "Cardholders' replies stored (redeliveries not counted), by provider, classification (NOT_RECOGNISED or OTHER) and linked (true: matched to an alert sent to the number within REPLY_LINK_WINDOW_HOURS)",
    ['provider', 'classification', 'linked'],
  );
  readonly repliesDuplicate = this.counter(
    'alertline_replies_duplicate_total',
    'Inbound texts a provider delivered again (same provider message id): stored and published once',
    ['provider'],
  );
  readonly repliesPublished = this.counter(
    'alertline_replies_published_total',
    'Replies published to KAFKA_TOPIC_REPLIES from the outbox (a republish after a crash counts again)',
  );
  readonly repliesUnpublished = this.gauge(
    'alertline_replies_unpublished',
    'Replies in the outbox not yet published to KAFKA_TOPIC_REPLIES, as the publishing dispatcher last saw',
  );
  readonly repliesOldestUnpublished = this.gauge(
    'alertline_replies_oldest_unpublished_seconds',
    'Age of the oldest reply waiting in the outbox (0 when none waits)',
  );

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'alertline_process_' });
    this.startAtZero(this.outcomes, { status: Object.values(NotificationStatus) });
    for (const [status, reasons] of Object.entries(CORRECTION_OUTCOMES)) {
      for (const reason of reasons) this.corrections.inc({ status, reason }, 0);
    }
  }

  /** One alert state change, counted by status and reason (dashboards) and by status alone (alerts). */
  transition(status: NotificationStatus, reason: string): void {
    this.notifications.inc({ status, reason });
    this.outcomes.inc({ status });
  }

  /**
   * Exports every combination of these label values at 0 from start: a series born at 1 on its first event
   * gives increase() and rate() nothing to compare with, so an alert rule on it would miss that event and
   * a dashboard panel would show no data instead of 0.
   */
  startAtZero<L extends string>(counter: Counter<L>, values: Record<L, readonly string[]>): void {
    let series: Array<Partial<Record<L, string>>> = [{}];
    for (const [label, options] of Object.entries<readonly string[]>(values)) {
      series = series.flatMap((labels) => options.map((value) => ({ ...labels, [label]: value })));
    }
    for (const labels of series) counter.inc(labels, 0);
  }

  private counter<L extends string = string>(name: string, help: string, labelNames: L[] = []): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  private gauge<L extends string = string>(name: string, help: string, labelNames: L[] = []): Gauge<L> {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }

  private histogram<L extends string = string>(
    name: string,
    help: string,
    buckets: number[],
    labelNames: L[] = [],
  ): Histogram<L> {
    return new Histogram({ name, help, buckets, labelNames, registers: [this.registry] });
  }
}

import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { KafkaMessage } from 'kafkajs';
import { AppConfig } from '../config/app-config';
import { Clock } from '../common/clock';
import { ContactsRepository } from '../contacts/contacts.repository';
import { Database } from '../database/database.service';
import { DeadLetter, DeadLetterPublisher } from '../kafka/dead-letter.publisher';
import { BatchContext } from '../kafka/batch-consumer';
import { Metrics } from '../metrics/metrics.service';
import { EventsRepository } from '../notifications/events.repository';
import { NotificationStatus } from '../notifications/notification-status';
import { NewEvent, NewNotification } from '../notifications/notification.types';
import { NotificationsRepository } from '../notifications/notifications.repository';
import { SmsQueue } from '../queue/sms-queue.service';
import { renderAlertText } from '../rendering/alert-text';
import { decide } from './alert-decision';
import { parseTransactionEvent, TransactionEvent } from './transaction-event.schema';

/**
 * Turns one chunk of transaction events into durable alerts: validate (bad -> DLQ), dedupe, resolve the
 * contact, decide, render, write alerts and their first events in one transaction, then enqueue.
 * The caller commits the Kafka offset only after this resolves.
 */
@Injectable()
export class IngestService {
  constructor(
    private readonly config: AppConfig,
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly contacts: ContactsRepository,
    private readonly notifications: NotificationsRepository,
    private readonly events: EventsRepository,
    private readonly queue: SmsQueue,
    private readonly deadLetters: DeadLetterPublisher,
    private readonly metrics: Metrics,
  ) {}

  async handleChunk(messages: KafkaMessage[], ctx: BatchContext): Promise<void> {
    const rejected: DeadLetter[] = [];
    const valid = new Map<string, { event: TransactionEvent; message: KafkaMessage }>();
    let duplicatesInChunk = 0;
    for (const message of messages) {
      const parsed = parseTransactionEvent(message.value);
      if (!parsed.ok) rejected.push({ message, ...ctx, code: parsed.code, detail: parsed.detail });
      else if (valid.has(parsed.event.transactionId)) duplicatesInChunk++;
      else valid.set(parsed.event.transactionId, { event: parsed.event, message });
    }
    await this.deadLetters.publish(rejected);

    const now = this.clock.now();
    const contacts = await this.contacts.findMany([
      ...new Set([...valid.values()].map((v) => v.event.cardholderId)),
    ]);
    const rows = [...valid.values()].map(({ event, message }) =>
      this.toNotification(event, contacts.get(event.cardholderId), now, ctx.partition, message.offset),
    );
    const { created, toEnqueue } = await this.db.transaction(async (tx) => {
      const createdIds = await this.notifications.insertMany(rows, tx);
      const createdRows = rows.filter((r) => createdIds.has(r.id));
      await this.events.insertMany(
        createdRows.flatMap((r) => this.firstEvents(r, now)),
        tx,
      );
      // A redelivered event whose alert is still QUEUED may have lost its job (crash before enqueue).
      const duplicateTxIds = rows.filter((r) => !createdIds.has(r.id)).map((r) => r.transactionId);
      const stillQueued =
        duplicateTxIds.length > 0
          ? (await this.notifications.findStatusByTransactionIds(duplicateTxIds, tx))
              .filter((r) => r.status === NotificationStatus.QUEUED)
              .map((r) => r.id)
          : [];
      return {
        created: createdRows,
        toEnqueue: [
          ...createdRows.filter((r) => r.status === NotificationStatus.QUEUED).map((r) => r.id),
          ...stillQueued,
        ],
      };
    });
    await this.queue.enqueue(toEnqueue);
    this.count(ctx.topic, created, rows.length - created.length + duplicatesInChunk, rejected.length, now);
  }

  private toNotification(
    event: TransactionEvent,
    contact: Parameters<typeof decide>[1],
    now: Date,
    partition: number,
    offset: string,
  ): NewNotification {
    const decision = decide(event, contact);
    const authorisedAt = new Date(event.authorisedAt);
    const text = decision.send
      ? renderAlertText({
          bankName: this.config.get('BANK_NAME'),
          bankPhone: this.config.get('BANK_PHONE'),
          cardLast4: event.cardLast4,
          amountMinor: event.amountMinor,
          currency: event.currency,
          merchantName: event.merchantName,
          merchantCity: event.merchantCity,
          authorisedAt,
          timeZone: this.config.get('ALERT_TIME_ZONE'),
          locale: contact?.locale ?? 'en',
        })
      : null;
    return {
      id: randomUUID(),
      transactionId: event.transactionId,
      eventId: event.eventId,
      cardholderId: event.cardholderId,
      cardId: event.cardId,
      cardLast4: event.cardLast4,
      amountMinor: event.amountMinor,
      currency: event.currency,
      merchantName: event.merchantName,
      merchantCity: event.merchantCity ?? null,
      channel: event.channel ?? null,
      authorisedAt,
      receivedAt: now,
      status: decision.send ? NotificationStatus.QUEUED : NotificationStatus.SKIPPED,
      skipReason: decision.send ? null : decision.reason,
      phoneE164: decision.send ? decision.phoneE164 : (contact?.phone_e164 ?? null),
      contactVersion: contact ? Number(contact.version) : null,
      locale: text?.locale ?? contact?.locale ?? null,
      body: text?.body ?? null,
      segments: text?.segments ?? null,
      encoding: text?.encoding ?? null,
      deadlineAt: decision.send
        ? new Date(now.getTime() + this.config.get('ALERT_DEADLINE_SECONDS') * 1000)
        : null,
      sourcePartition: partition,
      sourceOffset: offset,
    };
  }

  private firstEvents(row: NewNotification, now: Date): NewEvent[] {
    return [
      {
        notificationId: row.id,
        at: now,
        type: NotificationStatus.RECEIVED,
        status: NotificationStatus.RECEIVED,
      },
      {
        notificationId: row.id,
        at: now,
        type: row.status,
        status: row.status,
        detail:
          row.skipReason ?? (row.segments !== null ? `${row.segments} segment(s) ${row.encoding}` : null),
      },
    ];
  }

  private count(
    topic: string,
    created: NewNotification[],
    duplicates: number,
    rejected: number,
    now: Date,
  ): void {
    this.metrics.eventsConsumed.inc({ topic, outcome: 'accepted' }, created.length);
    if (duplicates) this.metrics.eventsConsumed.inc({ topic, outcome: 'duplicate' }, duplicates);
    if (rejected) this.metrics.eventsConsumed.inc({ topic, outcome: 'dead_lettered' }, rejected);
    for (const row of created) {
      this.metrics.notifications.inc({ status: row.status, reason: row.skipReason ?? '' });
      this.metrics.upstreamDelay.observe((now.getTime() - row.authorisedAt.getTime()) / 1000);
      if (now.getTime() - row.authorisedAt.getTime() > this.config.get('UPSTREAM_LATE_SECONDS') * 1000) {
        this.metrics.lateEvents.inc();
      }
    }
  }
}

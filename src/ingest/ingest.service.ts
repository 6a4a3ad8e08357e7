import { Injectable } from '@nestjs/common';
import { KafkaMessage } from 'kafkajs';
import { AppConfig } from '../config/app-config';
import { Clock } from '../common/clock';
import { ContactsRepository } from '../contacts/contacts.repository';
import { Database } from '../database/database.service';
import { DeadLetter, DeadLetterPublisher } from '../kafka/dead-letter.publisher';
import { BatchContext } from '../kafka/batch-consumer';
import { writeIsolatingPoison } from '../kafka/poison';
import { CorrectionRelease } from '../corrections/correction-release';
import { Metrics } from '../metrics/metrics.service';
import { EventsRepository } from '../notifications/events.repository';
import { NotificationStatus } from '../notifications/notification-status';
import { NewEvent, NewNotification } from '../notifications/notification.types';
import { NotificationsRepository } from '../notifications/notifications.repository';
import { SmsQueue } from '../queue/sms-queue.service';
import { AlertSettings, toAlertRow } from './alert-row';
import { parseTransactionEvent, TransactionEvent } from './transaction-event.schema';

interface Intake {
  event: TransactionEvent;
  message: KafkaMessage;
}

interface WriteResult {
  created: NewNotification[];
  duplicates: number;
  toEnqueue: string[];
}

/**
 * Turns one chunk of transaction events into durable alerts: validate (bad -> DLQ), dedupe, resolve the
 * contact, decide, render, write alerts and their first events in one transaction, dead-letter what was
 * refused, then enqueue.
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
    private readonly corrections: CorrectionRelease,
  ) {
    this.settings = {
      bankName: config.get('BANK_NAME'),
      bankPhone: config.get('BANK_PHONE'),
      timeZone: config.get('ALERT_TIME_ZONE'),
      deadlineSeconds: config.get('ALERT_DEADLINE_SECONDS'),
    };
  }

  private readonly settings: AlertSettings;

  async handleChunk(messages: KafkaMessage[], ctx: BatchContext): Promise<void> {
    // Keyed by offset: a message is dead-lettered once even when a bisected write prepares it again.
    const rejected = new Map<string, DeadLetter>();
    const reject = (message: KafkaMessage, code: string, detail: string, withhold?: string[]) =>
      rejected.set(message.offset, { message, ...ctx, code, detail, withhold });
    const valid = new Map<string, Intake>();
    let duplicatesInChunk = 0;
    for (const message of messages) {
      const parsed = parseTransactionEvent(message.value);
      if (!parsed.ok) reject(message, parsed.code, parsed.detail);
      else if (valid.has(parsed.event.transactionId)) duplicatesInChunk++;
      else valid.set(parsed.event.transactionId, { event: parsed.event, message });
    }

    const now = this.clock.now();
    const written: WriteResult = { created: [], duplicates: 0, toEnqueue: [] };
    // A part that the database refuses for its values is split until the culprit is alone; it goes to the
    // DLQ and every other event is written once. Infrastructure failures propagate: nothing is
    // dead-lettered and no offset moves (BatchConsumer has kafkajs retry the batch).
    const poisoned = await writeIsolatingPoison([...valid.values()], async (part) => {
      const result = await this.writePart(part, ctx, now, reject);
      written.created.push(...result.created);
      written.duplicates += result.duplicates;
      written.toEnqueue.push(...result.toEnqueue);
    });
    for (const { item, poison } of poisoned) reject(item.message, poison.code, poison.detail);
    await this.deadLetters.publish([...rejected.values()]);
    await this.queue.enqueue(written.toEnqueue);
    // A reversal that came before its original waits for it; a new alert may let it go (or end it).
    await this.corrections.originalsArrived(written.created.map((r) => r.transactionId));
    this.count(ctx.topic, written.created, written.duplicates + duplicatesInChunk, rejected.size, now);
  }

  /** Resolves contacts, decides and renders `part`, then writes its alerts and first events in one transaction. */
  private async writePart(
    part: Intake[],
    ctx: BatchContext,
    now: Date,
    reject: (message: KafkaMessage, code: string, detail: string, withhold?: string[]) => void,
  ): Promise<WriteResult> {
    const contacts = await this.contacts.findMany([...new Set(part.map((v) => v.event.cardholderId))]);
    const rows: NewNotification[] = [];
    for (const { event, message } of part) {
      const prepared = toAlertRow(event, contacts.get(event.cardholderId), this.settings, {
        now,
        partition: ctx.partition,
        offset: message.offset,
      });
      if ('row' in prepared) rows.push(prepared.row);
      else reject(message, prepared.code, prepared.detail, prepared.withhold);
    }
    if (rows.length === 0) return { created: [], duplicates: 0, toEnqueue: [] };
    return this.db.transaction(async (tx) => {
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
        duplicates: rows.length - createdRows.length,
        toEnqueue: [
          ...createdRows.filter((r) => r.status === NotificationStatus.QUEUED).map((r) => r.id),
          ...stillQueued,
        ],
      };
    });
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
      this.metrics.transition(row.status, row.skipReason ?? '');
      this.metrics.upstreamDelay.observe((now.getTime() - row.authorisedAt.getTime()) / 1000);
      if (now.getTime() - row.authorisedAt.getTime() > this.config.get('UPSTREAM_LATE_SECONDS') * 1000) {
        this.metrics.lateEvents.inc();
      }
    }
  }
}

import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { KafkaMessage } from 'kafkajs';
import { AppConfig } from '../config/app-config';
import { AppLogger, LOGGER } from '../common/logger.module';
import { ReadinessRegistry } from '../health/readiness.registry';
import { BatchConsumer, BatchContext } from '../kafka/batch-consumer';
import { DeadLetter, DeadLetterPublisher } from '../kafka/dead-letter.publisher';
import { KafkaClient } from '../kafka/kafka.client';
import { writeIsolatingPoison } from '../kafka/poison';
import { Metrics } from '../metrics/metrics.service';
import { ContactUpsert, parseContactMessage } from './contact-event.schema';
import { ContactsRepository } from './contacts.repository';

/** Projects the compacted cardholder.contacts topic into Postgres. */
@Injectable()
export class ContactsConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly consumer: BatchConsumer;

  constructor(
    config: AppConfig,
    kafka: KafkaClient,
    @Inject(LOGGER) logger: AppLogger,
    private readonly contacts: ContactsRepository,
    private readonly deadLetters: DeadLetterPublisher,
    private readonly metrics: Metrics,
    private readonly readiness: ReadinessRegistry,
  ) {
    this.consumer = new BatchConsumer(
      kafka,
      {
        groupId: config.get('KAFKA_CONTACTS_GROUP_ID'),
        topic: config.get('KAFKA_TOPIC_CONTACTS'),
        chunkSize: 500,
      },
      (messages, ctx) => this.handle(messages, ctx),
      logger.child({ component: 'contacts-consumer' }),
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    this.readiness.register('kafka-contacts', async () => {
      if (!this.consumer.isRunning) throw new Error('contacts consumer not running');
    });
    await this.consumer.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.consumer.stop();
  }

  private async handle(messages: KafkaMessage[], ctx: BatchContext): Promise<void> {
    // Within one chunk only the highest version per cardholder matters; a tombstone after it wins.
    const latest = new Map<string, Write>();
    const rejected: DeadLetter[] = [];
    for (const message of messages) {
      const parsed = parseContactMessage(message);
      if (!parsed.ok) {
        rejected.push({ message, ...ctx, code: parsed.code, detail: parsed.detail });
      } else if ('tombstone' in parsed) {
        latest.set(parsed.tombstone, { tombstone: parsed.tombstone, message });
      } else {
        const prev = latest.get(parsed.upsert.cardholderId);
        if (!prev || 'tombstone' in prev || prev.upsert.version < parsed.upsert.version)
          latest.set(parsed.upsert.cardholderId, { upsert: parsed.upsert, message });
      }
    }
    // As in ingest: what the database refuses for its values is isolated by bisection and dead-lettered;
    // infrastructure failures propagate and the batch is retried.
    const poisoned = await writeIsolatingPoison([...latest.values()], async (part) => {
      await this.contacts.upsertMany(part.flatMap((w) => ('upsert' in w ? [w.upsert] : [])));
      await this.contacts.markDeleted(part.flatMap((w) => ('tombstone' in w ? [w.tombstone] : [])));
    });
    for (const { item, poison } of poisoned) rejected.push({ message: item.message, ...ctx, ...poison });
    await this.deadLetters.publish(rejected);
    this.metrics.eventsConsumed.inc(
      { topic: ctx.topic, outcome: 'projected' },
      messages.length - rejected.length,
    );
    if (rejected.length)
      this.metrics.eventsConsumed.inc({ topic: ctx.topic, outcome: 'dead_lettered' }, rejected.length);
  }
}

type Write = { upsert: ContactUpsert; message: KafkaMessage } | { tombstone: string; message: KafkaMessage };

import { Injectable, OnModuleDestroy } from '@nestjs/common';
import type { IHeaders } from 'kafkajs';
import { KafkaClient } from './kafka.client';
import { LazyProducer } from './lazy-producer';

/** One record to publish: a key (the partition), a JSON value and string headers. */
export interface OutgoingRecord {
  key: string;
  value: string;
  headers?: Record<string, string>;
}

/**
 * Publishes records to one of our own topics (the replies for the bank's fraud system), durably: acks from
 * every in-sync replica before it resolves, and an idempotent producer, so a retry inside kafkajs adds no
 * duplicate. A duplicate can still come from the caller republishing after a crash; records carry a stable
 * id for the consumer's dedupe. kafkajs stays behind this class.
 */
@Injectable()
export class KafkaPublisher implements OnModuleDestroy {
  private readonly producer: LazyProducer;

  constructor(kafka: KafkaClient) {
    this.producer = new LazyProducer(kafka, {
      allowAutoTopicCreation: false,
      idempotent: true,
      maxInFlightRequests: 1,
    });
  }

  async publish(topic: string, records: readonly OutgoingRecord[]): Promise<void> {
    if (records.length === 0) return;
    const producer = await this.producer.connected();
    await producer.send({
      topic,
      acks: -1,
      messages: records.map((r) => ({ key: r.key, value: r.value, headers: r.headers as IHeaders })),
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.producer.disconnect();
  }
}

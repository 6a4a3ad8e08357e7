import { Injectable, OnModuleDestroy } from '@nestjs/common';
import type { IHeaders, Producer } from 'kafkajs';
import { KafkaClient } from './kafka.client';

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
  private producer?: Producer;
  private connecting?: Promise<void>;

  constructor(private readonly kafka: KafkaClient) {}

  async publish(topic: string, records: readonly OutgoingRecord[]): Promise<void> {
    if (records.length === 0) return;
    const producer = await this.connected();
    await producer.send({
      topic,
      acks: -1,
      messages: records.map((r) => ({ key: r.key, value: r.value, headers: r.headers as IHeaders })),
    });
  }

  private async connected(): Promise<Producer> {
    if (!this.producer) {
      const producer = this.kafka.kafka.producer({
        allowAutoTopicCreation: false,
        idempotent: true,
        maxInFlightRequests: 1,
      });
      this.producer = producer;
      // A broker down at the first connect must not fail every later round: a failed connect is forgotten.
      this.connecting = producer.connect().catch((err: unknown) => {
        if (this.producer === producer) this.producer = undefined;
        throw err;
      });
    }
    await this.connecting;
    return this.producer;
  }

  async onModuleDestroy(): Promise<void> {
    await this.producer?.disconnect();
  }
}

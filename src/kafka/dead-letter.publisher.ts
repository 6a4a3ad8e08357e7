import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { KafkaMessage, Producer } from 'kafkajs';
import { maskCardNumbers } from '../common/card-number';
import { Metrics } from '../metrics/metrics.service';
import { KafkaClient } from './kafka.client';

export interface DeadLetter {
  message: KafkaMessage;
  topic: string;
  partition: number;
  code: string;
  detail: string;
}

/** Sends rejected messages to `<topic>.dlq` with the reason headers; any card number is masked first. */
@Injectable()
export class DeadLetterPublisher implements OnModuleDestroy {
  private producer?: Producer;
  private connecting?: Promise<void>;

  constructor(
    private readonly kafka: KafkaClient,
    private readonly metrics: Metrics,
  ) {}

  async publish(letters: DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    const producer = await this.connected();
    const byTopic = new Map<string, DeadLetter[]>();
    for (const l of letters) byTopic.set(l.topic, [...(byTopic.get(l.topic) ?? []), l]);
    // acks -1: the DLQ copy must be durable before the original offset is committed.
    await producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic.entries()].map(([topic, items]) => ({
        topic: `${topic}.dlq`,
        messages: items.map((l) => ({
          key: l.message.key ? maskCardNumbers(l.message.key.toString('utf8')) : null,
          value: l.message.value ? maskCardNumbers(l.message.value.toString('utf8')) : null,
          headers: {
            'x-error-code': l.code,
            'x-error-detail': maskCardNumbers(l.detail),
            'x-original-topic': l.topic,
            'x-original-partition': String(l.partition),
            'x-original-offset': l.message.offset,
          },
        })),
      })),
    });
    for (const l of letters) this.metrics.dlqMessages.inc({ reason: l.code });
  }

  private async connected(): Promise<Producer> {
    if (!this.producer) {
      this.producer = this.kafka.kafka.producer({ allowAutoTopicCreation: false, idempotent: false });
      this.connecting = this.producer.connect();
    }
    await this.connecting;
    return this.producer;
  }

  async onModuleDestroy(): Promise<void> {
    await this.producer?.disconnect();
  }
}

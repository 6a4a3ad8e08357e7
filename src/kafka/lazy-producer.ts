import type { Producer, ProducerConfig } from 'kafkajs';
import { KafkaClient } from './kafka.client';

/**
 * A kafkajs producer connected on first use and shared by the calls after it. A broker down at the first
 * connect must not fail every later call: a failed connect is forgotten, so the next call connects anew.
 */
export class LazyProducer {
  private producer?: Producer;
  private connecting?: Promise<void>;

  constructor(
    private readonly kafka: KafkaClient,
    private readonly config: ProducerConfig,
  ) {}

  async connected(): Promise<Producer> {
    if (!this.producer) {
      const producer = this.kafka.kafka.producer(this.config);
      this.producer = producer;
      this.connecting = producer.connect().catch((err: unknown) => {
        if (this.producer === producer) this.producer = undefined;
        throw err;
      });
    }
    await this.connecting;
    return this.producer;
  }

  async disconnect(): Promise<void> {
    await this.producer?.disconnect();
  }
}

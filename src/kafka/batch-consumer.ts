import { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { KafkaClient } from './kafka.client';
import type { AppLogger } from '../common/logger.module';

export interface BatchContext {
  topic: string;
  partition: number;
}

/** Handles a whole batch; must have made it durable (or dead-lettered it) before resolving. */
export type BatchHandler = (messages: KafkaMessage[], ctx: BatchContext) => Promise<void>;

export interface BatchConsumerOptions {
  groupId: string;
  topic: string;
  /** Messages handled per database round trip; kafkajs batches can be larger. */
  chunkSize: number;
  /** A fetch waits for this many bytes, or `fetchMaxWaitMs`, whichever comes first. */
  fetchMinBytes?: number;
  fetchMaxWaitMs?: number;
}

// kafkajs directly with eachBatch rather than the Nest transport: the offset is resolved only after the
// handler made the chunk durable, heartbeats are sent between chunks, and an error stops the consumer
// from moving past the chunk (kafkajs restarts it from the last committed offset).
export class BatchConsumer {
  private consumer?: Consumer;
  private running = false;

  constructor(
    private readonly kafka: KafkaClient,
    private readonly options: BatchConsumerOptions,
    private readonly handler: BatchHandler,
    private readonly logger: AppLogger,
  ) {}

  get isRunning(): boolean {
    return this.running;
  }

  async start(): Promise<void> {
    const consumer = this.kafka.kafka.consumer({
      groupId: this.options.groupId,
      sessionTimeout: 30000,
      heartbeatInterval: 3000,
      maxBytesPerPartition: 1024 * 1024,
      minBytes: this.options.fetchMinBytes ?? 1,
      maxWaitTimeInMs: this.options.fetchMaxWaitMs ?? 5000,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 10000 },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, (e) => {
      this.logger.error({ err: e.payload.error, restart: e.payload.restart }, 'kafka consumer crashed');
      this.running = e.payload.restart;
    });
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.running = true;
    });
    await consumer.connect();
    await consumer.subscribe({ topic: this.options.topic, fromBeginning: true });
    await consumer.run({
      eachBatchAutoResolve: false,
      autoCommit: true,
      autoCommitInterval: 500,
      partitionsConsumedConcurrently: 3,
      eachBatch: (payload) => this.handleBatch(payload),
    });
    this.running = true;
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const ctx = { topic: batch.topic, partition: batch.partition };
    for (let i = 0; i < batch.messages.length; i += this.options.chunkSize) {
      if (!payload.isRunning() || payload.isStale()) return;
      const chunk = batch.messages.slice(i, i + this.options.chunkSize);
      await this.handler(chunk, ctx);
      payload.resolveOffset(chunk[chunk.length - 1].offset);
      await payload.commitOffsetsIfNecessary();
      await payload.heartbeat();
    }
  }

  async committedLag(): Promise<Array<{ partition: number; lag: number }>> {
    const admin = this.kafka.kafka.admin();
    await admin.connect();
    try {
      const [latest, committed] = await Promise.all([
        admin.fetchTopicOffsets(this.options.topic),
        admin.fetchOffsets({ groupId: this.options.groupId, topics: [this.options.topic] }),
      ]);
      const committedBy = new Map(committed[0]?.partitions.map((p) => [p.partition, Number(p.offset)]) ?? []);
      return latest.map((p) => {
        const done = committedBy.get(p.partition) ?? -1;
        const high = Number(p.high);
        return { partition: p.partition, lag: done < 0 ? high - Number(p.low) : Math.max(0, high - done) };
      });
    } finally {
      await admin.disconnect();
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.consumer?.disconnect();
  }
}

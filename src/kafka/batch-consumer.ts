import { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { KafkaClient } from './kafka.client';
import type { AppLogger } from '../common/logger.module';
import { failureReason } from './poison';

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
  /** Called when kafkajs stops the consumer for good; the default ends the process (see below). */
  onStoppedForGood?: (err: Error) => void;
}

/** What a handler throws that is not about one message: kafkajs retries the batch after its backoff. */
export class InfrastructureError extends Error {
  // kafkajs' retrier retries an error unless it is `retriable: false` or a TypeError, RangeError,
  // ReferenceError or SyntaxError; those crash the consumer for good.
  readonly retriable = true;
  constructor(
    readonly reason: string,
    options: { cause: unknown },
  ) {
    super(`infrastructure failure (${reason}); the batch is retried`, options);
    this.name = 'InfrastructureError';
  }
}

// A consumer kafkajs has given up on (CRASH with restart=false: a non-retriable broker error, or a
// programming error such as a TypeError in a handler) consumes nothing while the process looks alive. The
// process ends instead, so the orchestrator restarts it and the crash loop is visible; at-least-once makes
// that safe (no offset was committed past what is durable). Exit code 70: EX_SOFTWARE.
export const EXIT_CONSUMER_STOPPED = 70;
const exitProcess = () => {
  process.exitCode = EXIT_CONSUMER_STOPPED;
  setImmediate(() => process.exit(EXIT_CONSUMER_STOPPED));
};

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
      const { error, restart } = e.payload;
      this.running = restart;
      if (restart) {
        this.logger.error(
          { reason: failureReason(error), restart },
          'kafka consumer crashed; kafkajs restarts it',
        );
        return;
      }
      this.logger.fatal(
        { reason: failureReason(error), cause: failureReason((error as { cause?: unknown }).cause), restart },
        `kafka consumer for ${this.options.topic} stopped for good; ending the process`,
      );
      (this.options.onStoppedForGood ?? exitProcess)(error);
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
      await this.handle(chunk, ctx);
      payload.resolveOffset(chunk[chunk.length - 1].offset);
      await payload.commitOffsetsIfNecessary();
      await payload.heartbeat();
    }
  }

  // The handler dead-letters what is wrong with single messages; what it throws is about the world (the
  // database, Redis, the DLQ producer): nothing is resolved, and kafkajs fetches the batch again after its
  // retry backoff (300 ms doubling to 10 s). Only a programming error keeps its type and crashes the consumer.
  private async handle(chunk: KafkaMessage[], ctx: BatchContext): Promise<void> {
    try {
      await this.handler(chunk, ctx);
    } catch (err) {
      if (err instanceof TypeError || err instanceof RangeError || err instanceof ReferenceError) throw err;
      const reason = failureReason(err);
      this.logger.warn(
        { reason, partition: ctx.partition, offset: chunk[0].offset },
        'chunk not written; batch will be retried',
      );
      throw new InfrastructureError(reason, { cause: err });
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

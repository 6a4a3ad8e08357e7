import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { AppLogger, LOGGER } from '../common/logger.module';
import { ReadinessRegistry } from '../health/readiness.registry';
import { BatchConsumer } from '../kafka/batch-consumer';
import { KafkaClient } from '../kafka/kafka.client';
import { Metrics } from '../metrics/metrics.service';
import { IngestService } from './ingest.service';

const LAG_INTERVAL_MS = 5000;

@Injectable()
export class TransactionsConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly consumer: BatchConsumer;
  private lagTimer?: NodeJS.Timeout;

  constructor(
    private readonly config: AppConfig,
    kafka: KafkaClient,
    @Inject(LOGGER) private readonly logger: AppLogger,
    ingest: IngestService,
    private readonly metrics: Metrics,
    private readonly readiness: ReadinessRegistry,
  ) {
    this.consumer = new BatchConsumer(
      kafka,
      {
        groupId: config.get('KAFKA_GROUP_ID'),
        topic: config.get('KAFKA_TOPIC_TRANSACTIONS'),
        chunkSize: 500,
        fetchMinBytes: config.get('KAFKA_FETCH_MIN_BYTES'),
        fetchMaxWaitMs: config.get('KAFKA_FETCH_MAX_WAIT_MS'),
      },
      (messages, ctx) => ingest.handleChunk(messages, ctx),
      logger.child({ component: 'transactions-consumer' }),
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    this.readiness.register('kafka-transactions', async () => {
      if (!this.consumer.isRunning) throw new Error('transactions consumer not running');
    });
    await this.consumer.start();
    this.lagTimer = setInterval(() => void this.exportLag(), LAG_INTERVAL_MS);
    this.lagTimer.unref();
  }

  /** Committed-offset lag per partition, so a stuck or slow ingest shows before alerts go missing. */
  private async exportLag(): Promise<void> {
    try {
      const topic = this.config.get('KAFKA_TOPIC_TRANSACTIONS');
      for (const { partition, lag } of await this.consumer.committedLag()) {
        this.metrics.kafkaLag.set({ topic, partition: String(partition) }, lag);
      }
    } catch (err) {
      this.logger.warn({ err }, 'could not read consumer lag');
    }
  }

  async onModuleDestroy(): Promise<void> {
    if (this.lagTimer) clearInterval(this.lagTimer);
    await this.consumer.stop();
  }
}

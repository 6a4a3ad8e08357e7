import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { AppLogger, LOGGER } from '../common/logger.module';
import { ReadinessRegistry } from '../health/readiness.registry';
import { BatchConsumer } from '../kafka/batch-consumer';
import { KafkaClient } from '../kafka/kafka.client';
import { Metrics } from '../metrics/metrics.service';
import { CorrectionRelease } from './correction-release';
import { ReversalsService } from './reversals.service';

const GAUGE_INTERVAL_MS = 5000;

/** The reversals topic through the shared BatchConsumer (offset committed after durable, poison to DLQ). */
@Injectable()
export class ReversalsConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly consumer: BatchConsumer;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly config: AppConfig,
    kafka: KafkaClient,
    @Inject(LOGGER) private readonly logger: AppLogger,
    reversals: ReversalsService,
    private readonly release: CorrectionRelease,
    private readonly metrics: Metrics,
    private readonly readiness: ReadinessRegistry,
  ) {
    this.consumer = new BatchConsumer(
      kafka,
      {
        groupId: config.get('KAFKA_REVERSALS_GROUP_ID'),
        topic: config.get('KAFKA_TOPIC_REVERSALS'),
        chunkSize: 200,
        fetchMinBytes: config.get('KAFKA_FETCH_MIN_BYTES'),
        fetchMaxWaitMs: config.get('KAFKA_FETCH_MAX_WAIT_MS'),
      },
      (messages, ctx) => reversals.handleChunk(messages, ctx),
      logger.child({ component: 'reversals-consumer' }),
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    this.readiness.register('kafka-reversals', async () => {
      if (!this.consumer.isRunning) throw new Error('reversals consumer not running');
    });
    await this.consumer.start();
    this.timer = setInterval(() => void this.exportGauges(), GAUGE_INTERVAL_MS);
    this.timer.unref();
  }

  /** Lag of the reversals topic and the reversals waiting for their original. */
  private async exportGauges(): Promise<void> {
    try {
      const topic = this.config.get('KAFKA_TOPIC_REVERSALS');
      for (const { partition, lag } of await this.consumer.committedLag()) {
        this.metrics.kafkaLag.set({ topic, partition: String(partition) }, lag);
      }
      await this.release.refreshWaitingGauge();
    } catch (err) {
      this.logger.warn({ err }, 'could not read reversals lag or waiting corrections');
    }
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.consumer.stop();
  }
}

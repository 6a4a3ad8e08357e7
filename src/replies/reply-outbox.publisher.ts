import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Clock } from '../common/clock';
import { AppLogger, LOGGER } from '../common/logger.module';
import { PeriodicRounds } from '../common/periodic-run';
import { AppConfig } from '../config/app-config';
import { KafkaPublisher } from '../kafka/kafka.publisher';
import { Metrics } from '../metrics/metrics.service';
import { replyRecord } from './reply-event';
import { RepliesRepository } from './replies.repository';

/**
 * Publishes the replies' outbox to KAFKA_TOPIC_REPLIES, in each dispatcher every REPLY_PUBLISH_INTERVAL_MS;
 * one dispatcher at a time (the repository's lock), at most REPLY_PUBLISH_BATCH per round, rounds back to
 * back while a full batch came. A failed round (Kafka or PostgreSQL away) is logged and leaves the batch
 * unpublished for the next; the gauges show the backlog growing meanwhile.
 */
@Injectable()
export class ReplyOutboxPublisher extends PeriodicRounds implements OnApplicationBootstrap {
  private readonly topic: string;
  private readonly batch: number;
  private readonly intervalMs: number;

  constructor(
    config: AppConfig,
    private readonly repository: RepliesRepository,
    private readonly kafka: KafkaPublisher,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    @Inject(LOGGER) logger: AppLogger,
  ) {
    super('replies publishing round', logger);
    this.topic = config.get('KAFKA_TOPIC_REPLIES');
    this.batch = config.get('REPLY_PUBLISH_BATCH');
    this.intervalMs = config.get('REPLY_PUBLISH_INTERVAL_MS');
  }

  onApplicationBootstrap(): void {
    this.startRounds(this.intervalMs, { immediately: false });
  }

  protected async round(): Promise<void> {
    // One indexed count when idle: the publishing transaction is only opened when something waits.
    if ((await this.readBacklog()) === 0) return;
    for (;;) {
      const published = await this.repository.publishBatch(this.batch, (rows) =>
        this.kafka.publish(this.topic, rows.map(replyRecord)),
      );
      // null: another dispatcher publishes this round.
      if (published === null) break;
      if (published > 0) this.metrics.repliesPublished.inc(published);
      if (published < this.batch) break;
    }
    await this.readBacklog();
  }

  /** Sets the gauges from the outbox (in every dispatcher, so none shows a backlog it saw long ago). */
  private async readBacklog(): Promise<number> {
    const backlog = await this.repository.backlog();
    this.metrics.repliesUnpublished.set(backlog.count);
    this.metrics.repliesOldestUnpublished.set(
      backlog.oldest ? Math.max(0, (this.clock.now().getTime() - backlog.oldest.getTime()) / 1000) : 0,
    );
    return backlog.count;
  }
}

import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { Job, Queue } from 'bull';
import { AppConfig } from '../config/app-config';
import { AppLogger, LOGGER } from '../common/logger.module';
import { CorrectionRelease } from '../corrections/correction-release';
import { Metrics } from '../metrics/metrics.service';
import { SEND_JOB, SendJobData, SMS_QUEUE } from '../queue/sms-queue';
import { DeliveryOutcome, DeliveryService } from './delivery.service';
import { LeaseKeeper } from './lease-keeper';

const QUEUE_GAUGE_MS = 5000;

/** Thin Bull processor: the work and its retry decisions live in DeliveryService and retry-backoff. */
@Injectable()
export class SmsProcessor implements OnApplicationBootstrap, OnModuleDestroy {
  private gaugeTimer?: NodeJS.Timeout;

  constructor(
    @InjectQueue(SMS_QUEUE) private readonly queue: Queue<SendJobData>,
    private readonly delivery: DeliveryService,
    private readonly config: AppConfig,
    private readonly metrics: Metrics,
    private readonly leases: LeaseKeeper,
    private readonly corrections: CorrectionRelease,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  onApplicationBootstrap(): void {
    // Registered here rather than with @Process so the concurrency comes from validated config.
    void this.queue.process(SEND_JOB, this.config.get('DISPATCHER_CONCURRENCY'), (job: Job<SendJobData>) =>
      this.handle(job),
    );
    this.gaugeTimer = setInterval(() => void this.exportQueueGauge(), QUEUE_GAUGE_MS);
    this.gaugeTimer.unref();
  }

  async handle(job: Job<SendJobData>): Promise<DeliveryOutcome> {
    try {
      const outcome = await this.delivery.deliver(job.data.notificationId);
      // A correction waits until its original reached a provider or ended: this alert just did.
      if (outcome === 'sent' || outcome === 'failed' || outcome === 'expired') {
        await this.corrections.afterAlertMoved(job.data.notificationId);
      }
      return outcome;
    } catch (err) {
      // The whole error (stack, cause: an SDK error may carry its request); the logger masks numbers in it.
      this.logger.warn({ notificationId: job.data.notificationId, err }, 'send will be retried');
      throw err;
    }
  }

  private async exportQueueGauge(): Promise<void> {
    try {
      const counts = await this.queue.getJobCounts();
      for (const [state, n] of Object.entries(counts)) this.metrics.queueJobs.set({ state }, n);
    } catch {
      // Redis briefly away: the gauge keeps its last value and readiness reports the outage.
    }
  }

  async onModuleDestroy(): Promise<void> {
    if (this.gaugeTimer) clearInterval(this.gaugeTimer);
    // Bull's close waits for the active jobs: their leases are renewed until they end, then no more.
    await this.queue.close();
    this.leases.stop();
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { AppLogger, LOGGER } from '../common/logger.module';
import { AppConfig } from '../config/app-config';
import { Metrics } from '../metrics/metrics.service';
import type { InboundSms, InboundSmsSink } from '../providers/provider.interface';
import { classifyReply } from './reply-classifier';
import { RepliesRepository } from './replies.repository';

/**
 * Where every vendor's inbound texts arrive (webhooks in the api, SMPP deliver_sm in the dispatcher):
 * classified, linked to the latest alert sent to the number, stored with its outbox row, counted. A reply
 * matching no alert is stored and counted all the same; a redelivery is counted and changes nothing.
 */
@Injectable()
export class RepliesService implements InboundSmsSink {
  private readonly windowMs: number;

  constructor(
    config: AppConfig,
    private readonly repository: RepliesRepository,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {
    this.windowMs = config.get('REPLY_LINK_WINDOW_HOURS') * 3_600_000;
    // Exported from start, so the dashboard's panels have their series before the first reply.
    const provider = config.get('PROVIDERS');
    this.metrics.startAtZero(this.metrics.repliesDuplicate, { provider });
    this.metrics.startAtZero(this.metrics.replies, {
      provider,
      classification: ['NOT_RECOGNISED', 'OTHER'],
      linked: ['true', 'false'],
    });
  }

  /** Resolves once every text is durable (stored, or found stored before): only then is the vendor answered. */
  async accept(provider: string, messages: readonly InboundSms[]): Promise<void> {
    const receivedAt = this.clock.now();
    const linkSince = new Date(receivedAt.getTime() - this.windowMs);
    for (const sms of messages) {
      const reading = classifyReply(sms.text);
      const stored = await this.repository.record({
        provider,
        providerMessageId: sms.providerMessageId,
        from: sms.from,
        to: sms.to,
        text: sms.text,
        ...reading,
        receivedAt,
        linkSince,
      });
      if (!stored) {
        this.metrics.repliesDuplicate.inc({ provider });
        continue;
      }
      const linked = stored.notification_id !== null;
      this.metrics.replies.inc({ provider, classification: stored.classification, linked: String(linked) });
      // Ids only: the number and the text are personal data and stay out of the logs.
      this.logger.info(
        {
          replyId: stored.id,
          provider,
          classification: stored.classification,
          notificationId: stored.notification_id,
        },
        linked ? 'reply linked to an alert' : 'reply matched no alert sent to its number',
      );
    }
  }
}

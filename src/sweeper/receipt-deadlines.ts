import { DataCipher } from '../crypto/data-cipher';
import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { Clock } from '../common/clock';
import { AppLogger, LOGGER } from '../common/logger.module';
import { Database } from '../database/database.service';
import { Metrics } from '../metrics/metrics.service';
import { EventsRepository } from '../notifications/events.repository';
import { HistoryEvent } from '../notifications/notification-status';
import {
  FINAL_PROVIDER_STATUSES,
  ProviderMessageStatus as P,
  ProviderStatusReport,
} from '../providers/provider.interface';
import { ProviderRoute } from '../providers/provider-route';
import { ReceiptsService } from '../receipts/receipts.service';
import { SWEEP_BATCH } from './stuck-alerts';
import { AwaitingReceipt, SweeperRepository } from './sweeper.repository';

// Provider lookups in flight at once: enough to clear a backlog, few enough not to trip a rate limit.
const POLL_CONCURRENCY = 8;

/** How one lookup ended, as the outcome label of alertline_sweeper_polled_total. */
export type PollOutcome =
  'delivered' | 'undelivered' | 'failed' | 'pending' | 'unknown' | 'error' | 'no_provider';

export interface PollSummary {
  polled: number;
  flagged: number;
}

/**
 * SENT alerts with no final receipt past RECEIPT_SLA_SECONDS: ask the provider. A final answer goes through
 * ReceiptsService.record, the same path as a webhook; otherwise the alert is flagged OVERDUE (once), and
 * asked again every SWEEP_RECHECK_SECONDS, since an overdue alert can still turn out DELIVERED.
 */
@Injectable()
export class ReceiptDeadlines {
  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly db: Database,
    private readonly repository: SweeperRepository,
    private readonly route: ProviderRoute,
    private readonly receipts: ReceiptsService,
    private readonly events: EventsRepository,
    private readonly metrics: Metrics,
    private readonly cipher: DataCipher,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  async run(): Promise<PollSummary> {
    const summary: PollSummary = { polled: 0, flagged: 0 };
    let budget = this.config.get('SWEEP_POLL_LIMIT');
    while (budget > 0) {
      const now = this.clock.now();
      const acceptedBefore = new Date(now.getTime() - this.config.get('RECEIPT_SLA_SECONDS') * 1000);
      const checkedBefore = new Date(now.getTime() - this.config.get('SWEEP_RECHECK_SECONDS') * 1000);
      const page = await this.repository.awaitingReceipt(
        acceptedBefore,
        checkedBefore,
        Math.min(SWEEP_BATCH, budget),
      );
      budget -= page.length;
      // Every alert of the page leaves the query's result (answered, flagged or marked checked), so the
      // next page is always new work.
      for (let i = 0; i < page.length; i += POLL_CONCURRENCY) {
        const flags = await Promise.all(page.slice(i, i + POLL_CONCURRENCY).map((a) => this.check(a)));
        summary.polled += flags.length;
        summary.flagged += flags.filter(Boolean).length;
      }
      if (page.length < SWEEP_BATCH) break;
    }
    return summary;
  }

  /** True when this check flagged the alert OVERDUE. */
  private async check(alert: AwaitingReceipt): Promise<boolean> {
    const provider = alert.provider ?? 'none';
    const { outcome, report } = await this.ask(alert);
    this.metrics.sweeperPolled.inc({ provider, outcome });
    const now = this.clock.now();
    if (report && FINAL_PROVIDER_STATUSES.has(report.status)) {
      await this.receipts.record({
        provider,
        providerMessageId: report.providerMessageId,
        status: report.status,
        // The vendor's word first, as a webhook would carry it; the suffix tells support how we learnt it.
        providerStatus: `${report.providerStatus} (polled)`,
        errorCode: report.errorCode ?? null,
        receivedAt: now,
      });
      await this.repository.markChecked(alert.id, now);
      return false;
    }
    const said = report
      ? `says "${report.providerStatus}"`
      : outcome === 'error'
        ? 'did not answer'
        : 'knows nothing final';
    const flagged = await this.db.transaction(async (tx) => {
      if (!(await this.repository.flagOverdue(alert.id, now, tx))) {
        await this.repository.markChecked(alert.id, now, tx);
        return false;
      }
      const detail = `no final receipt ${this.config.get('RECEIPT_SLA_SECONDS')} s after acceptance; ${provider} ${said}`;
      await this.events.insertMany(
        [
          {
            notificationId: alert.id,
            at: now,
            type: HistoryEvent.OVERDUE,
            provider,
            providerMessageId: alert.provider_message_id,
            detail,
          },
        ],
        tx,
      );
      return true;
    });
    if (flagged)
      this.logger.warn({ notificationId: alert.id, provider, outcome }, 'alert overdue: no final receipt');
    return flagged;
  }

  private async ask(
    alert: AwaitingReceipt,
  ): Promise<{ outcome: PollOutcome; report: ProviderStatusReport | null }> {
    const provider = alert.provider ? this.route.get(alert.provider) : undefined;
    if (!provider || !alert.provider_message_id) return { outcome: 'no_provider', report: null };
    try {
      // The number is opened only for a provider whose status query needs it (Aliyun).
      const to = provider.statusNeedsRecipient
        ? this.cipher.open('notifications', alert.id, alert).phone
        : null;
      const sent = to ? { to, acceptedAt: alert.accepted_at } : undefined;
      const report = await provider.fetchStatus(alert.provider_message_id, sent);
      return { outcome: pollOutcome(report), report };
    } catch (err) {
      // A provider that cannot answer now is asked again next time; meanwhile the deadline still counts.
      this.logger.warn(
        { notificationId: alert.id, provider: provider.name, err: (err as Error).message },
        'status lookup failed',
      );
      return { outcome: 'error', report: null };
    }
  }
}

export function pollOutcome(report: ProviderStatusReport | null): PollOutcome {
  if (!report) return 'unknown';
  switch (report.status) {
    case P.DELIVERED:
      return 'delivered';
    case P.UNDELIVERED:
      return 'undelivered';
    case P.FAILED:
      return 'failed';
    case P.ACCEPTED:
    case P.SENT:
      return 'pending';
  }
}
